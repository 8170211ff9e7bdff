namespace Lathe.Config;

/// <summary>The whole run, as written in the YAML config: the problem, the data, the model and its training.</summary>
public sealed record PipelineConfig
{
    public TaskKind Task { get; init; } = TaskKind.Auto;
    /// <summary>The column to predict; empty when <see cref="Targets"/> names several.</summary>
    public string Target { get; init; } = "";
    /// <summary>Several columns to predict at once (<c>target: [a, b]</c>): numeric columns for regression, 0/1
    /// columns (one per label) for multilabel; empty for the usual single <see cref="Target"/>.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];
    /// <summary>Every target column, one or several, in the config's order.</summary>
    public IReadOnlyList<string> TargetColumns => Targets.Count > 0 ? Targets : [Target];
    public MetricKind Metric { get; init; } = MetricKind.Auto;
    public int Seed { get; init; } = 42;
    public DataConfig Data { get; init; } = new();
    public PrepareConfig Prepare { get; init; } = new();
    public AugmentConfig Augment { get; init; } = new();
    public ModelConfig Model { get; init; } = new();
    public TrainingConfig Training { get; init; } = new();
}
