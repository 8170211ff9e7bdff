using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;

namespace Lathe.Evaluation;

/// <summary>Scores a trained bundle on labelled data it has not seen, through the same predictor as every
/// other prediction path.</summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(Bundle bundle, Table data)
    {
        var target = bundle.Target;
        if (!data.Contains(target.Name))
            throw data.MissingColumn(target.Name, "target column (evaluation needs the true labels)");
        // Rows without a label cannot be scored; they are counted, as in training.
        var labelled = FittedTarget.RowsWithTarget(data[target.Name]);
        var dropped = data.RowCount - labelled.Length;
        if (dropped > 0) data = data.Gather(labelled);
        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(data);
        var score = target.Task == TaskKind.Classification
            ? Scoring.Score(target, predictions, target.EncodeClasses(data), null)
            : Scoring.Score(target, predictions, null, target.NumbersOf(data));
        return new EvaluationResult(target.Task, target.Name, bundle.Manifest.Metric, data.RowCount, dropped, score.Metrics, target.Classes, score.ConfusionRows);
    }
}

/// <summary>What <c>lathe evaluate</c> writes as <c>metrics.json</c>.</summary>
public sealed record EvaluationResult(TaskKind Task, string Target, MetricKind Metric, int Rows, int DroppedMissingTarget, MetricSet Test, IReadOnlyList<string> Classes, long[][]? ConfusionMatrix);
