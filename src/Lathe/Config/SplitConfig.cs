namespace Lathe.Config;

/// <summary>Fractions of the rows for training, validation and test; they sum to 1.</summary>
public sealed record SplitConfig
{
    public double Train { get; init; } = 0.7;
    public double Validation { get; init; } = 0.15;
    public double Test { get; init; } = 0.15;
    /// <summary>Keep each class's share equal in every part (classification only).</summary>
    public bool Stratify { get; init; } = true;
}
