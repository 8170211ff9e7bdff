using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Replaces each numeric column by its quantile bin: edges at the training part's quantiles, so each
/// bin holds about the same number of training rows, and a value becomes its bin's index scaled to 0–1.
/// Ties can merge bins, so a column with few distinct values gets fewer. Flags (two values or fewer) are
/// left alone.</summary>
public sealed class QuantileBin(int bins) : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var columns = new List<BinnedColumn>();
        foreach (var column in train.Columns.OfType<NumericColumn>())
        {
            var present = column.Values.Where(v => !double.IsNaN(v)).ToArray();
            if (present.Distinct().Take(3).Count() <= 2) continue;
            Array.Sort(present);
            // Inner edges only; equal quantiles collapse into one edge, so ties make fewer bins rather than empty ones.
            var edges = Enumerable.Range(1, bins - 1).Select(k => Quantile.Of(present, (double)k / bins)).Distinct().ToArray();
            columns.Add(new BinnedColumn(column.Name, edges));
        }
        return new FittedQuantileBin(columns);
    }
}

public sealed record BinnedColumn(string Name, IReadOnlyList<double> Edges);

public sealed record FittedQuantileBin(IReadOnlyList<BinnedColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var binned = FittedColumns.In(table, Columns, c => c.Name, "quantile bin");
        return table.With(table.Columns.Select(column =>
        {
            if (column is not NumericColumn numeric || !binned.TryGetValue(column.Name, out var b)) return column;
            var edges = b.Edges.ToArray();
            return new NumericColumn(column.Name, numeric.Values.Select(v => Bin(edges, v)).ToArray());
        }).ToArray());
    }

    /// <summary>One value's bin among <paramref name="edges"/> (ascending), as a fraction of the bins; a missing value stays missing.</summary>
    public static double Bin(double[] edges, double v)
    {
        if (double.IsNaN(v)) return v;
        var index = Array.BinarySearch(edges, v);
        // Bins include their upper edge, (a, b], as pandas' qcut does: ties at the lowest edge fill the first bin.
        var bin = index >= 0 ? index : ~index;
        return (double)bin / Math.Max(1, edges.Length);
    }
}
