namespace Lathe.Config;

/// <summary>How the model is trained.</summary>
public sealed record TrainingConfig
{
    public int Epochs { get; init; } = 100;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 0.001;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>SGD only.</summary>
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; }
    public LossKind Loss { get; init; } = LossKind.Auto;
    /// <summary>Stop after this many epochs without a better validation metric; 0 never stops early.</summary>
    public int Patience { get; init; } = 10;
    /// <summary>Threads for the engine; 0 uses every core. Bit-identical results need the same count.</summary>
    public int Threads { get; init; }
}
