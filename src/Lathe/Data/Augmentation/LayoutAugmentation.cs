using Lathe.Data.Pipeline;
using static TorchSharp.torch;

namespace Lathe.Data.Augmentation;

/// <summary>The batch augmentation of rows packed by an <see cref="InputLayout"/>: table noise on the numbers only,
/// token dropout and swap (<see cref="TextAugmentation"/>) on each text column's ids; the category codes are left as
/// they are. Draws in that order from the batch's generator.</summary>
public sealed class LayoutAugmentation(InputLayout layout, double tableNoise, double tokenDropout, double tokenSwap) : IBatchAugmentation
{
    private readonly TableNoise? _noise = tableNoise > 0 && layout.Numeric > 0 ? new TableNoise(tableNoise, layout.Numeric) : null;
    private readonly TextAugmentation? _text = (tokenDropout > 0 || tokenSwap > 0) && layout.Texts.Count > 0 ? new TextAugmentation(tokenDropout, tokenSwap) : null;

    /// <summary>Whether this does anything for the layout; when it does not, training needs no augmentation.</summary>
    public bool Changes => _noise is not null || _text is not null;

    public Tensor Apply(Tensor batch, Generator generator)
    {
        var x = _noise is null ? batch.clone() : _noise.Apply(batch, generator);
        if (_text is null) return x;
        var offsets = layout.TextOffsets();
        for (var t = 0; t < layout.Texts.Count; t++)
        {
            var ids = x.narrow(1, offsets[t], layout.Texts[t].Length);
            ids.copy_(_text.Apply(ids.to_type(ScalarType.Int64), generator).to_type(ScalarType.Float32));
        }
        return x;
    }
}
