using Lathe.Data.Pipeline;

namespace Lathe.Data.Features;

/// <summary>Drops numeric features that cannot help, judged on the training part: constant ones, and the
/// later of two whose correlation is at least the threshold (near-duplicates, such as the two columns
/// one-hot makes of a yes/no category). Every drop is recorded with its reason.</summary>
public sealed class SelectFeatures(double correlation) : IPipelineStep
{
    /// <summary>Correlations are judged on at most this many training rows, evenly spaced.</summary>
    public const int SampleRows = 10_000;

    public IFittedStep Fit(Table train)
    {
        // Whether a feature is constant is judged on every training row: a rare category may be absent from a sample.
        var constant = ConstantFeatures(train);
        // Hundreds of one-hot columns over millions of rows would make all pairs too slow; a sample decides as well.
        if (train.RowCount > SampleRows)
            train = train.Gather(Enumerable.Range(0, SampleRows).Select(i => (int)((long)i * train.RowCount / SampleRows)).ToArray());
        // One-hot features are judged one by one, expanded from the sample.
        var candidates = train.Columns.SelectMany(c => c switch
        {
            NumericColumn n => [n],
            OneHotColumn o => Enumerable.Range(0, o.Categories.Count).Select(o.Indicator),
            _ => Array.Empty<NumericColumn>(),
        }).ToArray();
        var dropped = new List<Selection>();
        var kept = new List<(NumericColumn Column, double Mean, double Norm)>();
        foreach (var column in candidates)
        {
            var values = column.Values;
            var present = values.Where(v => !double.IsNaN(v)).ToArray();
            if (constant.Contains(column.Name))
            {
                dropped.Add(new Selection(column.Name, "constant in the training part"));
                continue;
            }
            var mean = present.Length == 0 ? 0 : present.Average();
            var norm = Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)));
            string? twin = null;
            var r = 0.0;
            if (correlation < 1)
            {
                foreach (var (other, otherMean, otherNorm) in kept)
                {
                    r = Correlation(values, mean, norm, other.Values, otherMean, otherNorm);
                    if (Math.Abs(r) >= correlation)
                    {
                        twin = other.Name;
                        break;
                    }
                }
            }
            if (twin is not null) dropped.Add(new Selection(column.Name, $"correlation {r:0.000} with '{twin}', which is kept"));
            else kept.Add((column, mean, norm));
        }
        return new FittedSelectFeatures(dropped);
    }

    /// <summary>The features with one value (or none) in every row of <paramref name="train"/>.</summary>
    private static HashSet<string> ConstantFeatures(Table train)
    {
        var constant = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in train.Columns)
        {
            switch (column)
            {
                case NumericColumn n:
                    var first = n.Values.FirstOrDefault(v => !double.IsNaN(v), double.NaN);
                    if (n.Values.All(v => double.IsNaN(v) || v == first)) constant.Add(n.Name);
                    break;
                case OneHotColumn o:
                    var counts = new int[o.Categories.Count];
                    foreach (var code in o.Codes)
                        if (code >= 0) counts[code]++;
                    for (var k = 0; k < counts.Length; k++)
                        if (counts[k] == 0 || counts[k] == o.Count) constant.Add(o.FeatureNames[k]);
                    break;
            }
        }
        return constant;
    }

    private static double Correlation(double[] a, double meanA, double normA, double[] b, double meanB, double normB)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
            if (!double.IsNaN(a[i]) && !double.IsNaN(b[i])) sum += (a[i] - meanA) * (b[i] - meanB);
        return normA == 0 || normB == 0 ? 0 : sum / (normA * normB);
    }
}

public sealed record Selection(string Name, string Reason);

public sealed record FittedSelectFeatures(IReadOnlyList<Selection> Dropped) : IFittedStep
{
    public Table Transform(Table table)
    {
        if (Dropped.Count == 0) return table;
        var drop = Drops.GetValue(this, step => step.Dropped.Select(d => d.Name).ToHashSet(StringComparer.Ordinal));
        // A dropped number is a column; a dropped category is one of a one-hot column's features.
        var notColumns = drop.Where(name => !table.Contains(name)).ToArray();
        if (notColumns.Length > 0)
        {
            var categories = table.Columns.OfType<OneHotColumn>().SelectMany(o => o.FeatureNames).ToHashSet(StringComparer.Ordinal);
            table.Require(notColumns.Where(name => !categories.Contains(name)), "select features");
        }
        return table.Replace(column => column switch
        {
            NumericColumn when drop.Contains(column.Name) => [],
            OneHotColumn o when o.FeatureNames.Any(drop.Contains) =>
                [o.Without(o.Categories.Where(c => drop.Contains(OneHotColumn.FeatureName(o.Name, c))).ToHashSet(StringComparer.Ordinal))],
            _ => null,
        });
    }

    // The names dropped, as a set: made once per fitted step and kept beside it (not in the record).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<FittedSelectFeatures, HashSet<string>> Drops = new();
}
