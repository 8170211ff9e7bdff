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
        var dropping = Drops.GetValue(this, static step => new Dropping(step.Dropped));
        // A dropped number is a column; a dropped category is one of a one-hot column's features. Every dropped name
        // must be found as one or the other: counted as the columns are narrowed, and looked for only when one is not.
        var found = 0;
        foreach (var name in dropping.Names)
            if (table.Contains(name)) found++;
        var narrowed = table.Replace(column => column switch
        {
            NumericColumn when dropping.Names.Contains(column.Name) => [],
            OneHotColumn o when dropping.Narrowing(o) is { } narrowing => [narrowing.Apply(o, ref found)],
            _ => null,
        });
        if (found < dropping.Names.Count)
        {
            var categories = table.Columns.OfType<OneHotColumn>().SelectMany(o => o.FeatureNames).ToHashSet(StringComparer.Ordinal);
            table.Require(dropping.Names.Where(name => !table.Contains(name) && !categories.Contains(name)), "select features");
        }
        return narrowed;
    }

    // The names dropped, and how each one-hot column narrows: made once per fitted step and kept beside it (not in the
    // record). A served request runs the step on one row, where making them again was most of what it allocated.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<FittedSelectFeatures, Dropping> Drops = new();

    private sealed class Dropping(IReadOnlyList<Selection> dropped)
    {
        public HashSet<string> Names { get; } = dropped.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        // Keyed by the one-hot column's list of categories, which its fitted encoding hands to every table it makes.
        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<string>, Narrowing> _byCategories = new();

        /// <summary>How the column narrows, or null where none of its features is dropped.</summary>
        public Narrowing? Narrowing(OneHotColumn column)
        {
            if (_byCategories.TryGetValue(column.Categories, out var made) && made.Column == column.Name) return made.Removed > 0 ? made : null;
            var narrowing = new Narrowing(column, Names);
            _byCategories.AddOrUpdate(column.Categories, narrowing);
            return narrowing.Removed > 0 ? narrowing : null;
        }
    }

    /// <summary>A one-hot column without its dropped categories: each old code's new one (−1 for "none") and what is kept.</summary>
    private sealed class Narrowing
    {
        public Narrowing(OneHotColumn column, IReadOnlySet<string> dropped)
        {
            Column = column.Name;
            Remap = new int[column.Categories.Count];
            var kept = new List<string>();
            for (var k = 0; k < Remap.Length; k++)
            {
                Remap[k] = dropped.Contains(column.FeatureNames[k]) ? -1 : kept.Count;
                if (Remap[k] >= 0) kept.Add(column.Categories[k]);
            }
            Removed = Remap.Length - kept.Count;
            Kept = kept;
            KeptFeatures = kept.Select(c => OneHotColumn.FeatureName(Column, c)).ToArray();
        }

        public string Column { get; }
        public int[] Remap { get; }
        public int Removed { get; }
        public IReadOnlyList<string> Kept { get; }
        public IReadOnlyList<string> KeptFeatures { get; }

        public OneHotColumn Apply(OneHotColumn column, ref int found)
        {
            Interlocked.Add(ref found, Removed);
            var codes = new int[column.Count];
            for (var i = 0; i < codes.Length; i++) codes[i] = column.Codes[i] < 0 ? -1 : Remap[column.Codes[i]];
            return new OneHotColumn(column.Name, codes, Kept, KeptFeatures);
        }
    }
}
