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
        var numbers = train.Columns.OfType<NumericColumn>().ToArray();
        var scaled = new ScaledColumn[numbers.Length];
        Parallelism.For(numbers.Length, c =>
        {
            var present = Present(numbers[c].Values);
            var (center, spread) = present.Length == 0 ? (0, 1) : kind switch
            {
                ScaleKind.Minmax => (present.Min(), present.Max() - present.Min()),
                ScaleKind.Robust => Robust(present),
                _ => Standard(present),
            };
            // A constant column carries no information; keep it at 0 rather than divide by 0.
            scaled[c] = new ScaledColumn(numbers[c].Name, center, spread > 1e-12 ? spread : 1);
        });
        return new FittedScale(kind, scaled);
    }

    private static double[] Present(double[] values)
    {
        var present = new double[values.Length];
        var count = 0;
        foreach (var v in values)
            if (!double.IsNaN(v)) present[count++] = v;
        return count == present.Length ? present : present[..count];
    }

    private static (double, double) Standard(double[] values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        var mean = sum / values.Length;
        double squares = 0;
        foreach (var v in values) squares += (v - mean) * (v - mean);
        return (mean, values.Length > 1 ? Math.Sqrt(squares / (values.Length - 1)) : 0);
    }

    private static (double, double) Robust(double[] values)
    {
        Array.Sort(values);
        return (Quantile.Of(values, 0.5), Quantile.Of(values, 0.75) - Quantile.Of(values, 0.25));
    }
}

/// <summary>One column's fitted center and spread.</summary>
public sealed record ScaledColumn(string Name, double Center, double Spread)
{
    public double Apply(double v) => (v - Center) / Spread;
}

public sealed record FittedScale(ScaleKind Method, IReadOnlyList<ScaledColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        if (Method == ScaleKind.None) return table;
        var scales = FittedColumns.In(table, Columns, c => c.Name, "scale");
        return table.Replace(column =>
        {
            if (column is not NumericColumn numeric || !scales.TryGetValue(column.Name, out var scale)) return null;
            var values = new double[numeric.Count];
            for (var i = 0; i < values.Length; i++) values[i] = scale.Apply(numeric.Values[i]);
            return [new NumericColumn(column.Name, values)];
        });
    }
}
