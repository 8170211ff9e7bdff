namespace Lathe.Config;

/// <summary>Training-time augmentation: applied to training batches only, never to validation, test or
/// prediction, seeded per batch so runs stay reproducible. Each image transform has its own probability
/// (0 turns it off) and its own strength.</summary>
public sealed record AugmentConfig
{
    /// <summary>Probability of a horizontal flip.</summary>
    public double Flip { get; init; }
    public double Rotate { get; init; }
    public double RotateDegrees { get; init; } = 15;
    /// <summary>Probability of a random crop from the image padded by <see cref="CropPadding"/> pixels.</summary>
    public double Crop { get; init; }
    public int CropPadding { get; init; } = 4;
    public double Shift { get; init; }
    public int ShiftPixels { get; init; } = 3;
    public double Brightness { get; init; }
    public double BrightnessAmount { get; init; } = 0.2;
    public double Contrast { get; init; }
    public double ContrastAmount { get; init; } = 0.2;
    public double Noise { get; init; }
    public double NoiseStd { get; init; } = 0.05;
    /// <summary>Probability of blanking a random square of <see cref="CutoutSize"/> pixels.</summary>
    public double Cutout { get; init; }
    public int CutoutSize { get; init; } = 8;
    /// <summary>Tables: the standard deviation of Gaussian noise added to every (standardised) feature; 0 is off.</summary>
    public double TableNoise { get; init; }
    /// <summary>Tables, classification: SMOTE raises each class to this share of the largest class's count (1 balances them); 0 is off.</summary>
    public double Smote { get; init; }
    /// <summary>Text kinds: probability of deleting each real token of a training text (the rest close up).</summary>
    public double TokenDropout { get; init; }
    /// <summary>Text kinds: probability per training text of swapping two neighbouring tokens.</summary>
    public double TokenSwap { get; init; }

    public bool ForImages => Flip > 0 || Rotate > 0 || Crop > 0 || Shift > 0 || Brightness > 0 || Contrast > 0 || Noise > 0 || Cutout > 0;
}
