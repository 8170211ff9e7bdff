using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;

namespace Lathe.Evaluation;

/// <summary>Scores a trained bundle on labelled data it has not seen, through the same predictor as every
/// other prediction path.</summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(Bundle bundle, Table data)
    {
        var target = bundle.Target;
        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(data);
        var score = target.Task == TaskKind.Classification
            ? Scoring.Score(target, predictions, target.EncodeClasses(data), null)
            : Scoring.Score(target, predictions, null, target.NumbersOf(data));
        return new EvaluationResult(target.Task, target.Name, bundle.Manifest.Metric, data.RowCount, score.Metrics, target.Classes, score.ConfusionRows);
    }
}

/// <summary>What <c>lathe evaluate</c> writes as <c>metrics.json</c>.</summary>
public sealed record EvaluationResult(TaskKind Task, string Target, MetricKind Metric, int Rows, MetricSet Test, IReadOnlyList<string> Classes, long[][]? ConfusionMatrix);
