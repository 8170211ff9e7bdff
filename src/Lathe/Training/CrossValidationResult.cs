using Lathe.Config;

namespace Lathe.Training;

/// <summary>What <c>training.cv</c> measured, as written to <c>cv.json</c> and into <c>metrics.json</c>.</summary>
public sealed record CrossValidationResult(int Folds, MetricKind Metric, IReadOnlyDictionary<string, MeanStd> Summary, IReadOnlyList<FoldResult> PerFold);
