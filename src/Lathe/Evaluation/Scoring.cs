using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Pipeline;

namespace Lathe.Evaluation;

/// <summary>Scores predictions against the truth with the task's metrics.</summary>
public static class Scoring
{
    /// <param name="classes">True class indices (classification).</param>
    /// <param name="values">True values on the target's scale (regression).</param>
    public static Score Score(FittedTarget target, Predictions predictions, long[]? classes, double[]? values)
    {
        if (target.Task == TaskKind.Classification)
        {
            var (metrics, confusion) = ClassificationMetrics.Compute(classes!, predictions.Probabilities, target.Classes.Count);
            return new Score(metrics, confusion);
        }
        if (target.Task == TaskKind.Multilabel)
            return new Score(MultilabelMetrics.Compute(values!, predictions.Probabilities, target.Classes.Count, predictions.Thresholds), null);
        if (target.Columns is null) return new Score(RegressionMetrics.Compute(values!, predictions.Values), null);
        return new Score(Several(target.Names, values!, predictions.Values), null);
    }

    /// <summary>Several regression targets: each one's metrics as <c>rmse[NAME]</c>, …, and their plain mean as
    /// <c>rmse</c>, … (on each target's own scale, so a target with large values weighs most in rmse and mae; r2 is
    /// scale-free).</summary>
    public static MetricSet Several(IReadOnlyList<string> names, double[] truth, double[] predicted)
    {
        var width = names.Count;
        var metrics = new MetricSet();
        var sums = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
        for (var t = 0; t < width; t++)
        {
            var column = Column(truth, t, width);
            var one = RegressionMetrics.Compute(column, Column(predicted, t, width));
            foreach (var (name, value) in one)
            {
                metrics[$"{name}[{names[t]}]"] = value;
                var (sum, count) = sums.GetValueOrDefault(name);
                sums[name] = (sum + value, count + 1);
            }
        }
        foreach (var (name, (sum, count)) in sums) metrics[name] = sum / count;
        return metrics;
    }

    /// <summary>Target <paramref name="t"/> of row-major values with <paramref name="width"/> per row.</summary>
    public static double[] Column(double[] values, int t, int width)
    {
        var column = new double[values.Length / width];
        for (var i = 0; i < column.Length; i++) column[i] = values[i * width + t];
        return column;
    }
}

/// <summary>Metrics of one part, and its confusion matrix (rows: true class, columns: predicted) for classification.</summary>
public sealed record Score(MetricSet Metrics, long[,]? Confusion)
{
    public long[][]? ConfusionRows => Confusion is null
        ? null
        : Enumerable.Range(0, Confusion.GetLength(0)).Select(r => Enumerable.Range(0, Confusion.GetLength(1)).Select(c => Confusion[r, c]).ToArray()).ToArray();
}
