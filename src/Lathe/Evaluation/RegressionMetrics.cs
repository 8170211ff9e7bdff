namespace Lathe.Evaluation;

/// <summary>RMSE, MAE and R² of numeric predictions, on the target's own scale.</summary>
public static class RegressionMetrics
{
    public static MetricSet Compute(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted)
    {
        double squared = 0, absolute = 0, mean = 0;
        foreach (var t in truth) mean += t;
        mean /= Math.Max(1, truth.Length);
        double total = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            var error = predicted[i] - truth[i];
            squared += error * error;
            absolute += Math.Abs(error);
            total += (truth[i] - mean) * (truth[i] - mean);
        }
        var n = Math.Max(1, truth.Length);
        return new MetricSet
        {
            ["rmse"] = Math.Sqrt(squared / n),
            ["mae"] = absolute / n,
            ["r2"] = total == 0 ? 0 : 1 - squared / total,
        };
    }
}
