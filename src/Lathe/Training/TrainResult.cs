using Lathe.Bundles;
using Lathe.Data;

namespace Lathe.Training;

/// <summary>The outcome of <see cref="TrainingRun.Run"/>: where the outputs are, what was measured, and the
/// test rows with the predictions the training process made for them.</summary>
public sealed record TrainResult(string OutputDirectory, string BundlePath, RunMetrics Metrics, Table TestRows, Predictions TestPredictions);
