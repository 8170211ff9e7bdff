using Lathe.Config;
using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Makes skewed numeric columns more symmetric: log (log(1 + x), for x ≥ 0), Box-Cox (x &gt; 0) or
/// Yeo-Johnson (any x), with λ fitted on the training part by maximum likelihood. <c>auto</c> applies
/// Yeo-Johnson only to columns whose training skewness exceeds 1. Flags and indicators (two values or
/// fewer) are left alone, and so is a column whose values the chosen transform cannot take, with the reason.</summary>
public sealed class PowerTransform(TransformKind kind) : IPipelineStep
{
    private const int SampleValues = 100_000;

    public IFittedStep Fit(Table train)
    {
        var columns = new List<PoweredColumn>();
        foreach (var column in train.Columns.OfType<NumericColumn>())
        {
            var present = column.Values.Where(v => !double.IsNaN(v)).ToArray();
            if (present.Distinct().Take(3).Count() <= 2) continue;
            var method = kind;
            if (kind == TransformKind.Auto)
            {
                if (Math.Abs(Skewness(present)) <= 1) continue;
                method = TransformKind.YeoJohnson;
            }
            var min = present.Min();
            if ((method == TransformKind.Log && min < 0) || (method == TransformKind.BoxCox && min <= 0))
            {
                columns.Add(new PoweredColumn(column.Name, TransformKind.None, 0, $"has values {(method == TransformKind.Log ? "below 0" : "at or below 0")} in training; left as is"));
                continue;
            }
            var sample = present.Length <= SampleValues ? present : Enumerable.Range(0, SampleValues).Select(i => present[(int)((long)i * present.Length / SampleValues)]).ToArray();
            var lambda = method == TransformKind.Log ? 0 : FitLambda(sample, method);
            columns.Add(new PoweredColumn(column.Name, method, lambda, null));
        }
        return new FittedPowerTransform(columns);
    }

    public static double Skewness(double[] values)
    {
        if (values.Length < 3) return 0;
        var mean = values.Average();
        double m2 = 0, m3 = 0;
        foreach (var v in values)
        {
            m2 += (v - mean) * (v - mean);
            m3 += (v - mean) * (v - mean) * (v - mean);
        }
        m2 /= values.Length;
        m3 /= values.Length;
        return m2 <= 0 ? 0 : m3 / Math.Pow(m2, 1.5);
    }

    /// <summary>λ maximising the profile log-likelihood, by golden-section search on [−3, 3].</summary>
    public static double FitLambda(double[] values, TransformKind method)
    {
        var logTerm = method == TransformKind.BoxCox ? values.Sum(Math.Log) : values.Sum(v => Math.Sign(v) * Math.Log(Math.Abs(v) + 1));
        double LogLikelihood(double lambda)
        {
            var transformed = values.Select(v => FittedPowerTransform.Apply(method, lambda, v)).ToArray();
            var mean = transformed.Average();
            var variance = transformed.Sum(t => (t - mean) * (t - mean)) / transformed.Length;
            return variance <= 0 || !double.IsFinite(variance) ? double.NegativeInfinity : -values.Length / 2.0 * Math.Log(variance) + (lambda - 1) * logTerm;
        }
        double low = -3, high = 3;
        var golden = (Math.Sqrt(5) - 1) / 2;
        double a = high - golden * (high - low), b = low + golden * (high - low);
        double fa = LogLikelihood(a), fb = LogLikelihood(b);
        for (var i = 0; i < 60; i++)
        {
            if (fa < fb)
            {
                (low, a, fa) = (a, b, fb);
                b = low + golden * (high - low);
                fb = LogLikelihood(b);
            }
            else
            {
                (high, b, fb) = (b, a, fa);
                a = high - golden * (high - low);
                fa = LogLikelihood(a);
            }
        }
        return (low + high) / 2;
    }
}

/// <summary>One column's fitted transform; <see cref="Skipped"/> says why a column was left as it is.</summary>
public sealed record PoweredColumn(string Name, TransformKind Method, double Lambda, string? Skipped)
{
    /// <summary>One value transformed; a missing value stays missing.</summary>
    public double Apply(double v) => double.IsNaN(v) ? v : FittedPowerTransform.Apply(Method, Lambda, v);
}

public sealed record FittedPowerTransform(IReadOnlyList<PoweredColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        table.Require(Columns.Select(c => c.Name), "power transform");
        var powered = Columns.Where(c => c.Method != TransformKind.None).ToDictionary(c => c.Name);
        return table.With(table.Columns.Select(column =>
            column is NumericColumn numeric && powered.TryGetValue(column.Name, out var p)
                ? new NumericColumn(column.Name, numeric.Values.Select(p.Apply).ToArray())
                : column).ToArray());
    }

    /// <summary>The transform of one value. Values a transform cannot take (below its domain, seen only after
    /// fitting) are brought to its edge rather than made missing.</summary>
    public static double Apply(TransformKind method, double lambda, double x) => method switch
    {
        TransformKind.Log => Math.Log(1 + Math.Max(x, 0)),
        TransformKind.BoxCox => Math.Abs(lambda) < 1e-9 ? Math.Log(Math.Max(x, double.Epsilon)) : (Math.Pow(Math.Max(x, double.Epsilon), lambda) - 1) / lambda,
        TransformKind.YeoJohnson => x >= 0
            ? Math.Abs(lambda) < 1e-9 ? Math.Log(x + 1) : (Math.Pow(x + 1, lambda) - 1) / lambda
            : Math.Abs(lambda - 2) < 1e-9 ? -Math.Log(1 - x) : -(Math.Pow(1 - x, 2 - lambda) - 1) / (2 - lambda),
        _ => x,
    };
}
