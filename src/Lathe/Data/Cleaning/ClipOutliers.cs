using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Data.Transforms;

namespace Lathe.Data.Cleaning;

/// <summary>Clips numeric values to bounds fitted on the training part: quartiles ± k·IQR (Tukey's fences)
/// or mean ± k·standard deviations. Columns with two values or fewer (flags, indicators) are left alone.</summary>
public sealed class ClipOutliers(OutlierMethod method, double threshold) : IPipelineStep
{
    /// <summary>The training rows without those that have a value outside the bounds fitted on them
    /// (<c>prepare.outlier_action: drop</c>), and how many were dropped.</summary>
    public static (Table Kept, int Dropped) DropRows(Table train, Schema.DataSchema schema, OutlierMethod method, double threshold)
    {
        var typed = TypeCoercion.Apply(train, schema);
        var bounds = ((FittedClipOutliers)new ClipOutliers(method, threshold).Fit(typed)).Columns;
        var columns = bounds.Select(b => (((NumericColumn)typed[b.Name]).Values, b.Lower, b.Upper)).ToArray();
        var kept = Enumerable.Range(0, train.RowCount)
            .Where(row => columns.All(c => double.IsNaN(c.Values[row]) || (c.Values[row] >= c.Lower && c.Values[row] <= c.Upper)))
            .ToArray();
        var dropped = train.RowCount - kept.Length;
        return (dropped == 0 ? train : train.Gather(kept), dropped);
    }

    public IFittedStep Fit(Table train)
    {
        var bounds = new List<ClipBounds>();
        foreach (var column in train.Columns.OfType<NumericColumn>())
        {
            var present = column.Values.Where(v => !double.IsNaN(v)).ToArray();
            if (present.Distinct().Take(3).Count() <= 2) continue;
            Array.Sort(present);
            if (method == OutlierMethod.Zscore)
            {
                var mean = present.Average();
                var std = Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, present.Length - 1));
                bounds.Add(new ClipBounds(column.Name, mean - threshold * std, mean + threshold * std));
            }
            else
            {
                double q1 = Quantile.Of(present, 0.25), q3 = Quantile.Of(present, 0.75);
                bounds.Add(new ClipBounds(column.Name, q1 - threshold * (q3 - q1), q3 + threshold * (q3 - q1)));
            }
        }
        return new FittedClipOutliers(method, bounds);
    }
}

public sealed record ClipBounds(string Name, double Lower, double Upper)
{
    /// <summary>One value clipped to the bounds; a missing value stays missing.</summary>
    public double Apply(double v) => double.IsNaN(v) ? v : Math.Clamp(v, Lower, Upper);
}

public sealed record FittedClipOutliers(OutlierMethod Method, IReadOnlyList<ClipBounds> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var bounds = FittedColumns.In(table, Columns, c => c.Name, "clip outliers");
        return table.With(table.Columns.Select(column =>
            column is NumericColumn numeric && bounds.TryGetValue(column.Name, out var b)
                ? new NumericColumn(column.Name, numeric.Values.Select(b.Apply).ToArray())
                : column).ToArray());
    }
}
