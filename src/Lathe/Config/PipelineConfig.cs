namespace Lathe.Config;

/// <summary>The whole run, as written in the YAML config: the problem, the data, the model and its training.</summary>
public sealed record PipelineConfig
{
    public TaskKind Task { get; init; } = TaskKind.Auto;
    public string Target { get; init; } = "";
    public MetricKind Metric { get; init; } = MetricKind.Auto;
    public int Seed { get; init; } = 42;
    public DataConfig Data { get; init; } = new();
    public PrepareConfig Prepare { get; init; } = new();
    public AugmentConfig Augment { get; init; } = new();
    public ModelConfig Model { get; init; } = new();
    public TrainingConfig Training { get; init; } = new();
}
