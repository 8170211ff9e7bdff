using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Training;

namespace Lathe.Evaluation;

/// <summary>What <c>report.html</c> is drawn from: the scored rows as they were read, the model's predictions
/// for them, the truth (class indices for classification, values for regression), their metrics, and the
/// training history (empty when the report is not written by a training run and no metrics.json is found), and
/// the cross-validation folds when <c>training.cv</c> asked for them; with the input <see cref="Schema"/>, the images of an
/// image-path column are loaded for the mistakes' thumbnails.</summary>
public sealed record ReportInput(
    string Title,
    string Part,
    FittedTarget Target,
    Table Rows,
    Predictions Predictions,
    long[]? Classes,
    double[]? Values,
    MetricSet Metrics,
    MetricKind Metric,
    IReadOnlyList<EpochRecord> History,
    CrossValidationResult? CrossValidation = null,
    Data.Schema.DataSchema? Schema = null);
