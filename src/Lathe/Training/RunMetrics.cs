using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;
using Lathe.Evaluation;

namespace Lathe.Training;

/// <summary>What a training run measured, written as <c>metrics.json</c>.</summary>
public sealed record RunMetrics
{
    public TaskKind Task { get; init; }
    public string Target { get; init; } = "";
    public MetricKind Metric { get; init; }
    public MetricSet Train { get; init; } = new();
    public MetricSet Validation { get; init; } = new();
    public MetricSet Test { get; init; } = new();
    public double TrainSeconds { get; init; }
    public int Epochs { get; init; }
    public int BestEpoch { get; init; }
    public RowCounts Rows { get; init; } = new(0, 0, 0, 0);
    public IReadOnlyList<string> Classes { get; init; } = [];
    /// <summary>Test part: rows are true classes, columns predicted classes, in <see cref="Classes"/> order.</summary>
    public long[][]? ConfusionMatrix { get; init; }
    public IReadOnlyList<ColumnSchema> Columns { get; init; } = [];
    public IReadOnlyList<EpochRecord> History { get; init; } = [];
    /// <summary>The loss's class weights, in <see cref="Classes"/> order; null when the loss was unweighted.</summary>
    public IReadOnlyList<double>? ClassWeights { get; init; }
    /// <summary>Classification with <c>training.calibrate</c>: the temperature fitted on the validation part and the
    /// validation log loss before and after it; null otherwise.</summary>
    public TemperatureCalibration? Calibration { get; init; }
    /// <summary>With <c>training.cv</c>: every metric's mean ± std over the folds, and each fold; null otherwise.</summary>
    public CrossValidationResult? CrossValidation { get; init; }
    public string DataFingerprint { get; init; } = "";
    /// <summary>What the reader decided about the data file's layout (a preamble skipped, a header of numbers read
    /// as data), as "what → how to decide otherwise"; empty for most files.</summary>
    public IReadOnlyList<string> Reading { get; init; } = [];
    public int Seed { get; init; }
    public int Threads { get; init; }
    /// <summary>How MKL chose its kernels in the training process: with the seed and <see cref="Threads"/>, what
    /// bit-identical weights depend on (<see cref="Engine.TorchRuntime.Mkl"/>).</summary>
    public Engine.MklKernels Mkl { get; init; }
    public string Lathe { get; init; } = "";
}

/// <summary>The temperature the logits are divided by, and the validation part's log loss with the raw softmax and with it.</summary>
public sealed record TemperatureCalibration(double Temperature, double LogLossBefore, double LogLossAfter);
