namespace Lathe.Evaluation;

/// <summary>RMSE, MAE, MAPE and R² of numeric predictions, on the target's own scale.</summary>
public static class RegressionMetrics
{
    /// <summary>MAPE is a fraction (0.12 = 12%) as in scikit-learn, but rows whose true value is 0 are left out
    /// of it rather than divided by a tiny epsilon (scikit-learn's choice, which lets one zero dominate); with no
    /// non-zero target it is not reported.</summary>
    public static MetricSet Compute(ReadOnlySpan<double> truth, ReadOnlySpan<double> predicted)
    {
        double squared = 0, absolute = 0, mean = 0, percentage = 0;
        var nonZero = 0;
        foreach (var t in truth) mean += t;
        mean /= Math.Max(1, truth.Length);
        double total = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            var error = predicted[i] - truth[i];
            squared += error * error;
            absolute += Math.Abs(error);
            total += (truth[i] - mean) * (truth[i] - mean);
            if (truth[i] == 0) continue;
            percentage += Math.Abs(error / truth[i]);
            nonZero++;
        }
        var n = Math.Max(1, truth.Length);
        var metrics = new MetricSet
        {
            ["rmse"] = Math.Sqrt(squared / n),
            ["mae"] = absolute / n,
            ["r2"] = total == 0 ? 0 : 1 - squared / total,
        };
        if (nonZero > 0) metrics["mape"] = percentage / nonZero;
        return metrics;
    }
}
