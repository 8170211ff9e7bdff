using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>What the sequence encoders share: which positions are padding, the mean over the rest, and the head.</summary>
public static class Sequence
{
    /// <summary>The id that fills a sequence after its last token; its embedding is fixed at zero.</summary>
    public const long PaddingId = 0;

    /// <summary>The head after an encoder's pooled vector of <paramref name="width"/>: dropout (when above 0), then a
    /// linear layer to <paramref name="outputs"/>; null for an encoder built without one (<paramref name="outputs"/> 0),
    /// whose caller uses <c>Encode</c>. The weight names (<c>classifier.head.weight</c>, …) are the bundles'.</summary>
    public static nn.Module<Tensor, Tensor>? Head(long width, double dropout, int outputs)
    {
        if (outputs <= 0) return null;
        var head = new List<(string, nn.Module<Tensor, Tensor>)>();
        if (dropout > 0) head.Add(("dropout", nn.Dropout(dropout)));
        head.Add(("head", nn.Linear(width, outputs)));
        return nn.Sequential(head);
    }

    /// <summary>The mean of <paramref name="states"/> [batch, length, features] over the positions where
    /// <paramref name="real"/> [batch, length] is true; zeros for a row with no real position. The caller owns it.</summary>
    public static Tensor MaskedMean(Tensor states, Tensor real)
    {
        using var weights = real.unsqueeze(-1).to_type(states.dtype);
        using var sum = states.mul(weights).sum(1);
        using var count = weights.sum(1).clamp_min(1);
        return sum.div(count);
    }
}
