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
        return new Score(RegressionMetrics.Compute(values!, predictions.Values), null);
    }
}

/// <summary>Metrics of one part, and its confusion matrix (rows: true class, columns: predicted) for classification.</summary>
public sealed record Score(MetricSet Metrics, long[,]? Confusion)
{
    public long[][]? ConfusionRows => Confusion is null
        ? null
        : Enumerable.Range(0, Confusion.GetLength(0)).Select(r => Enumerable.Range(0, Confusion.GetLength(1)).Select(c => Confusion[r, c]).ToArray()).ToArray();
}
