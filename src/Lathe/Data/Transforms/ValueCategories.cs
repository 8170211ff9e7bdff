using System.Globalization;
using Lathe.Data.Features;
using Lathe.Data.Pipeline;
using Lathe.Data.Splitting;

namespace Lathe.Data.Transforms;

/// <summary>A number whose values are identities also enters as a category of its values (<c>prepare.value_categories</c>):
/// beside <c>Displacement</c> a column <c>Displacement.value</c> whose categories are the values training rows share
/// ("97", "98", "350"), which the category encoding then turns into features of their own. A smooth encoding (scaling,
/// piecewise-linear bins) puts 97 next to 98; where a value is an identity — one engine's displacement, a product code —
/// its own rows say more than its neighbours', which a tree finds with two splits and a network given only the ramp
/// cannot. Where the value is a measurement (a temperature, a speed) its neighbours say as much, and categories of its
/// values are only noise to fit.</summary>
/// <remarks>Which numbers: those with more than two values, at most half as many distinct values as training rows, and
/// whose <paramref name="most"/> most frequent values that two or more training rows share cover at least half the rows;
/// of those, the ones whose values' own rows predict the target better than their bins do. That is tested out of fold
/// on the training rows (<see cref="Folds"/> folds dealt by <paramref name="seed"/>, at most <see cref="SampleRows"/> of
/// them): each held-out row is predicted from the other folds once by its quantile bin's mean target (<see cref="Bins"/>
/// bins) and once by its value's, drawn toward the bin's with the weight of <see cref="Smoothing"/> rows; the number's
/// values become categories when the value's predictions lose at least <see cref="MinGain"/> less (log loss for
/// classes, squared error on the standardised target otherwise). The kept values are its categories; any other value
/// (unseen, rare, missing) is none of them.</remarks>
public sealed class ValueCategories(int most, FittedTarget target, Table labelled, int seed) : IPipelineStep
{
    /// <summary>The share of training rows the kept values must cover.</summary>
    public const double Coverage = 0.5;
    public const int Bins = 32;
    public const int Folds = 5;
    public const double Smoothing = 3;
    public const double MinGain = 0.02;
    public const int SampleRows = 100_000;

    public IFittedStep Fit(Table train)
    {
        if (train.RowCount != labelled.RowCount)
            throw new InvalidOperationException($"value categories were given {labelled.RowCount} labels for {train.RowCount} rows");
        var numbers = train.Columns.OfType<NumericColumn>().ToArray();
        var rows = TargetOutcome.EvenlySpaced(train.RowCount, SampleRows);
        var outcome = TargetOutcome.Of(rows.Length == labelled.RowCount ? labelled : labelled.Gather(rows), target);
        var tests = new ValueCategoryTest?[numbers.Length];
        var kept = new ValueCategoryColumn?[numbers.Length];
        // A number whose categories' name a column already has keeps that column and is left as it is.
        Parallelism.For(numbers.Length, c => (tests[c], kept[c]) = train.Contains(ValueCategoryColumn.NameFor(numbers[c].Name)) ? (null, null) : Test(numbers[c], rows, outcome));
        return new FittedValueCategories(kept.OfType<ValueCategoryColumn>().ToArray()) { Tests = tests.OfType<ValueCategoryTest>().ToArray() };
    }

    private (ValueCategoryTest?, ValueCategoryColumn?) Test(NumericColumn column, int[] rows, TargetOutcome outcome)
    {
        var counts = new Dictionary<double, int>();
        var present = 0;
        foreach (var v in column.Values)
        {
            if (double.IsNaN(v)) continue;
            present++;
            counts[Key(v)] = counts.GetValueOrDefault(Key(v)) + 1;
        }
        if (counts.Count <= 2 || counts.Count * 2 > present) return (null, null);
        // The most frequent first, ties by value, so the choice does not depend on the rows' order.
        var shared = counts.Where(p => p.Value >= 2).OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(most).ToArray();
        if (shared.Sum(p => p.Value) < Coverage * present) return (null, null);
        var gain = Gain(column, rows, outcome);
        var test = new ValueCategoryTest(column.Name, counts.Count, gain);
        return (test, test.Kept ? new ValueCategoryColumn(column.Name, shared.Select(p => p.Key).Order().ToArray()) : null);
    }

    /// <summary>How much less the value's out-of-fold predictions lose than the bin's, as a share of the bin's loss.</summary>
    private double Gain(NumericColumn column, int[] rows, TargetOutcome outcome)
    {
        var present = Enumerable.Range(0, rows.Length).Where(i => !double.IsNaN(column.Values[rows[i]])).ToArray();
        if (present.Length < Folds * 2) return 0;
        var x = present.Select(i => Key(column.Values[rows[i]])).ToArray();
        var sorted = (double[])x.Clone();
        Array.Sort(sorted);
        var edges = Enumerable.Range(0, Bins + 1).Select(k => Quantile.Of(sorted, (double)k / Bins)).Distinct().ToArray();
        var bin = Array.ConvertAll(x, v => BinOf(edges, v));
        var width = outcome.Width;
        var classes = outcome.Classes;
        // Each row's target as a vector: its class's indicator, or its standardised numbers.
        var y = new double[present.Length * width];
        for (var i = 0; i < present.Length; i++)
        {
            if (classes is not null) y[i * width + classes[present[i]]] = 1;
            else Array.Copy(outcome.Numbers!, present[i] * width, y, i * width, width);
        }
        var folds = KFold.Assign(present.Length, Folds, seed, classes is null ? null : present.Select(i => (long)classes[i]).ToArray());
        double binLoss = 0, valueLoss = 0;
        var p = new double[width];
        var q = new double[width];
        for (var k = 0; k < Folds; k++)
        {
            var prior = new double[width];
            var binSums = new Dictionary<int, (double[] Sum, int Count)>();
            var valueSums = new Dictionary<double, (double[] Sum, int Count)>();
            var fitted = 0;
            for (var i = 0; i < x.Length; i++)
            {
                if (folds[i] == k) continue;
                fitted++;
                var row = y.AsSpan(i * width, width);
                Add(binSums, bin[i], row);
                Add(valueSums, x[i], row);
                for (var j = 0; j < width; j++) prior[j] += row[j];
            }
            for (var j = 0; j < width; j++) prior[j] /= fitted;
            for (var i = 0; i < x.Length; i++)
            {
                if (folds[i] != k) continue;
                Smoothed(binSums.TryGetValue(bin[i], out var b) ? b : default, prior, p);
                Smoothed(valueSums.TryGetValue(x[i], out var v) ? v : default, p, q);
                var row = y.AsSpan(i * width, width);
                binLoss += Loss(p, row, classes is not null);
                valueLoss += Loss(q, row, classes is not null);
            }
        }
        return binLoss > 0 ? (binLoss - valueLoss) / binLoss : 0;
    }

    /// <summary>The bin a value falls in: edge t ≤ v &lt; edge t + 1, the top edge in the last bin.</summary>
    private static int BinOf(double[] edges, double v)
    {
        var at = Array.BinarySearch(edges, v);
        return Math.Clamp(at >= 0 ? at : ~at - 1, 0, Math.Max(0, edges.Length - 2));
    }

    private static void Add<TKey>(Dictionary<TKey, (double[] Sum, int Count)> sums, TKey key, ReadOnlySpan<double> row) where TKey : notnull
    {
        if (!sums.TryGetValue(key, out var entry)) entry = (new double[row.Length], 0);
        for (var j = 0; j < row.Length; j++) entry.Sum[j] += row[j];
        sums[key] = (entry.Sum, entry.Count + 1);
    }

    /// <summary>A group's mean drawn toward <paramref name="toward"/> with the weight of <see cref="Smoothing"/> rows.</summary>
    private static void Smoothed((double[]? Sum, int Count) group, double[] toward, double[] into)
    {
        for (var j = 0; j < into.Length; j++)
            into[j] = ((group.Sum?[j] ?? 0) + Smoothing * toward[j]) / (group.Count + Smoothing);
    }

    /// <summary>Log loss of the row's class (its indicator is 1), or the squared error over the row's numbers.</summary>
    private static double Loss(double[] predicted, ReadOnlySpan<double> row, bool classes)
    {
        var loss = 0.0;
        for (var j = 0; j < row.Length; j++)
        {
            if (classes) loss -= row[j] * Math.Log(Math.Max(predicted[j], 1e-9));
            else loss += (row[j] - predicted[j]) * (row[j] - predicted[j]);
        }
        return loss;
    }

    /// <summary>-0 and 0 are one value.</summary>
    internal static double Key(double v) => v == 0 ? 0 : v;
}

/// <summary>One number's test: how many distinct values it has in training, and how much less its values' own
/// out-of-fold predictions of the target lose than its bins' (a share; kept at <see cref="ValueCategories.MinGain"/> or more).</summary>
public sealed record ValueCategoryTest(string Column, int Values, double Gain)
{
    public bool Kept => Gain >= ValueCategories.MinGain;
}

/// <summary>One number's values that are categories, ascending.</summary>
public sealed record ValueCategoryColumn(string Name, IReadOnlyList<double> Values)
{
    /// <summary>The name of the categorical column made beside the number.</summary>
    public string ColumnName => NameFor(Name);

    public static string NameFor(string number) => $"{number}.value";

    /// <summary>A value's category as written (invariant, round-trip).</summary>
    public static string Label(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ValueCategoryColumn, Dictionary<double, string>> Made = new();

    /// <summary>Each kept value's label, made once per fitted column (so every row with a value shares one string): a served
    /// model encodes one row at a time.</summary>
    internal IReadOnlyDictionary<double, string> Labels => Made.GetValue(this, column => column.Values.ToDictionary(v => v, Label));

    /// <summary>The category of one value: its label when it is one of <see cref="Values"/>, else none (null).</summary>
    public string? CategoryOf(double value) => double.IsNaN(value) ? null : Labels.GetValueOrDefault(ValueCategories.Key(value));
}

public sealed record FittedValueCategories(IReadOnlyList<ValueCategoryColumn> Columns) : IFittedStep
{
    /// <summary>Every number that was tested, kept or not: a record for the prepare report.</summary>
    public IReadOnlyList<ValueCategoryTest> Tests { get; init; } = [];

    public Table Transform(Table table)
    {
        var chosen = FittedColumns.In(table, Columns, c => c.Name, "value categories");
        return table.Replace(column =>
        {
            if (column is not NumericColumn numeric || !chosen.TryGetValue(column.Name, out var categories)) return null;
            var labels = new string?[numeric.Count];
            for (var i = 0; i < labels.Length; i++) labels[i] = categories.CategoryOf(numeric.Values[i]);
            return [numeric, new StringColumn(categories.ColumnName, labels)];
        });
    }
}
