using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>What the sequence encoders share: which positions are padding, and the mean over the rest.</summary>
public static class Sequence
{
    /// <summary>The id that fills a sequence after its last token; its embedding is fixed at zero.</summary>
    public const long PaddingId = 0;

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
