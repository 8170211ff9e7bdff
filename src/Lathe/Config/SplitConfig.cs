namespace Lathe.Config;

/// <summary>Fractions of the rows for training, validation and test; they sum to 1.</summary>
public sealed record SplitConfig
{
    public double Train { get; init; } = 0.7;
    public double Validation { get; init; } = 0.15;
    public double Test { get; init; } = 0.15;
    /// <summary>Keep each class's share equal in every part (classification only).</summary>
    public bool Stratify { get; init; } = true;
    /// <summary>A column whose values (a patient, a user, a site) must never sit in two parts.</summary>
    public string? Group { get; init; }
    /// <summary>A date or number column: the earliest rows train, the next validate, the latest test, so
    /// no future row is ever used in training.</summary>
    public string? Time { get; init; }
    /// <summary>The seed that deals the rows into parts; null uses the run's seed. Fixing it while the run's seed
    /// varies keeps the parts and varies only the model (initial weights, batch order).</summary>
    public int? Seed { get; init; }
}
