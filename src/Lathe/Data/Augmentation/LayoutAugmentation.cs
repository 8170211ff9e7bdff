using Lathe.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Data.Augmentation;

/// <summary>The batch augmentation of rows packed by an <see cref="InputLayout"/>: table noise on the numbers only,
/// token dropout and swap (<see cref="TextAugmentation"/>) on each text column's ids, the image augmentations on each fused
/// image's pixels; the category codes are left as they are. Draws in that order from the batch's generator.</summary>
/// <param name="images">The image augmentations, used when the layout has an image.</param>
public sealed class LayoutAugmentation(InputLayout layout, double tableNoise, double tokenDropout, double tokenSwap, IBatchAugmentation? images = null) : IBatchAugmentation
{
    private readonly TableNoise? _noise = tableNoise > 0 && layout.Numeric > 0 ? new TableNoise(tableNoise, layout.Numeric) : null;
    private readonly TextAugmentation? _text = (tokenDropout > 0 || tokenSwap > 0) && layout.Texts.Count > 0 ? new TextAugmentation(tokenDropout, tokenSwap) : null;
    private readonly IBatchAugmentation? _images = layout.Image is null ? null : images;
    private readonly ImageInput[] _pictures = [.. layout.Images];
    private readonly int[] _imageOffsets = [.. layout.ImageOffsets()];

    /// <summary>Whether this does anything for the layout; when it does not, training needs no augmentation.</summary>
    public bool Changes => _noise is not null || _text is not null || _images is not null;

    public Tensor Apply(Tensor batch, Generator generator)
    {
        var x = _noise is null ? batch.clone() : _noise.Apply(batch, generator);
        var offsets = layout.TextOffsets();
        for (var t = 0; t < layout.Texts.Count && _text is not null; t++)
        {
            var ids = x.narrow(1, offsets[t], layout.Texts[t].Length);
            ids.copy_(_text.Apply(ids.to_type(ScalarType.Int64), generator).to_type(ScalarType.Float32));
        }
        for (var i = 0; i < _pictures.Length && _images is not null; i++)
        {
            // The pixels were packed as pixel × scale + shift; the image augmentations work on pixel / 255. Each image
            // draws its own flips and shifts.
            var image = _pictures[i];
            var pixels = x.narrow(1, _imageOffsets[i], image.Size);
            using var shift = image.Shift.ToScalar();
            using var scale = (image.Scale * 255).ToScalar();
            using var unit = pixels.sub(shift).div_(scale).reshape(-1, image.Channels, image.Height, image.Width);
            using var augmented = _images.Apply(unit, generator);
            pixels.copy_(augmented.mul(scale).add_(shift).reshape(-1, image.Size));
        }
        return x;
    }
}
