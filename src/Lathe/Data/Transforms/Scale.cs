using Lathe.Config;
using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Rescales every numeric column as (x − center) / spread, with center and spread from the
/// training part: mean and standard deviation (standard), minimum and range (minmax), or median and
/// interquartile range (robust, for columns with outliers).</summary>
public sealed class Scale(ScaleKind kind = ScaleKind.Standard) : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var scaled = new List<ScaledColumn>();
        foreach (var column in train.Columns.OfType<NumericColumn>())
        {
            var present = column.Values.Where(v => !double.IsNaN(v)).ToArray();
            var (center, spread) = present.Length == 0 ? (0, 1) : kind switch
            {
                ScaleKind.Minmax => (present.Min(), present.Max() - present.Min()),
                ScaleKind.Robust => Robust(present),
                _ => Standard(present),
            };
            // A constant column carries no information; keep it at 0 rather than divide by 0.
            scaled.Add(new ScaledColumn(column.Name, center, spread > 1e-12 ? spread : 1));
        }
        return new FittedScale(kind, scaled);
    }

    private static (double, double) Standard(double[] values)
    {
        var mean = values.Average();
        var squares = values.Sum(v => (v - mean) * (v - mean));
        return (mean, values.Length > 1 ? Math.Sqrt(squares / (values.Length - 1)) : 0);
    }

    private static (double, double) Robust(double[] values)
    {
        Array.Sort(values);
        return (Quantile.Of(values, 0.5), Quantile.Of(values, 0.75) - Quantile.Of(values, 0.25));
    }
}

/// <summary>One column's fitted center and spread.</summary>
public sealed record ScaledColumn(string Name, double Center, double Spread);

public sealed record FittedScale(ScaleKind Method, IReadOnlyList<ScaledColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        if (Method == ScaleKind.None) return table;
        table.Require(Columns.Select(c => c.Name), "scale");
        var scales = Columns.ToDictionary(c => c.Name);
        var columns = table.Columns.Select(column =>
        {
            if (column is not NumericColumn numeric || !scales.TryGetValue(column.Name, out var scale)) return column;
            var values = new double[numeric.Count];
            for (var i = 0; i < values.Length; i++) values[i] = (numeric.Values[i] - scale.Center) / scale.Spread;
            return new NumericColumn(column.Name, values);
        }).ToArray();
        return table.With(columns);
    }
}
