namespace Lathe.Config;

/// <summary>How images are prepared before the model sees them, in this order: a center crop, grayscale, a
/// bilinear resize. Each is a fitted step that records the shape it takes and the shape it gives, and is
/// applied identically in training, evaluation and prediction.</summary>
public sealed record ImageConfig
{
    /// <summary>Center crop: one value for both sides, or [height, width]. A value up to 1 is a fraction of
    /// the side (0.875 keeps the central 87.5%), a larger one a size in pixels; [] keeps the whole image.</summary>
    public IReadOnlyList<double> Crop { get; init; } = [];
    /// <summary>RGB to one channel with the ITU-R BT.601 luma weights: 0.299 R + 0.587 G + 0.114 B.</summary>
    public bool Grayscale { get; init; }
    /// <summary>Bilinear resize to one side for both, or [height, width], in pixels; [] keeps the size.</summary>
    public IReadOnlyList<int> Resize { get; init; } = [];

    public bool IsSet => Crop.Count > 0 || Grayscale || Resize.Count > 0;
}
