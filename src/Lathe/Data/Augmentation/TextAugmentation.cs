using static TorchSharp.torch;

namespace Lathe.Data.Augmentation;

/// <summary>Noise for token-id sequences (int64 [B, L], padding at the end), as in Lample et al. (2018): token
/// dropout deletes each real token with probability <paramref name="dropout"/> (the rest close up, padding refills the
/// end, and a sequence never loses all of its tokens: the first stays); token swap exchanges, with probability
/// <paramref name="swap"/> per sequence, two neighbouring tokens at a random place. Draws only from the batch's
/// generator, like every <see cref="IBatchAugmentation"/>; a probability of 0 draws nothing and changes nothing.
/// <c>augment.token_dropout</c> and <c>token_swap</c> turn it on for the text kinds, through <see cref="LayoutAugmentation"/>.</summary>
public sealed class TextAugmentation(double dropout, double swap, long paddingId = Transforms.TextTokenizer.PaddingId) : IBatchAugmentation
{
    public Tensor Apply(Tensor batch, Generator generator)
    {
        long n = batch.size(0), length = batch.size(1);
        var position = arange(length, ScalarType.Int64).unsqueeze(0).expand(n, length);
        var x = batch;
        if (dropout > 0)
        {
            var real = x.ne(paddingId);
            var keep = real.logical_and(rand(new[] { n, length }, generator: generator).ge(dropout));
            var emptied = real.any(1, keepdim: true).logical_and(keep.any(1, keepdim: true).logical_not());
            keep = keep.logical_or(emptied.logical_and(position.eq(0)));
            // Kept tokens first, in their order; the positions after them become padding.
            var order = where(keep, position, position.add(length)).argsort(1);
            x = x.gather(1, order).masked_fill(position.ge(keep.sum(1, keepdim: true)), paddingId);
        }
        if (swap > 0 && length >= 2)
        {
            var count = x.ne(paddingId).sum(1);
            var chosen = rand(n, generator: generator).lt(swap).logical_and(count.ge(2)).unsqueeze(1);
            // The left one of the pair: uniform over the count − 1 places where a real neighbour follows.
            var at = rand(n, generator: generator).mul(count.sub(1).clamp_min(1)).floor().to_type(ScalarType.Int64).clamp(0, length - 2).unsqueeze(1);
            var swapped = where(position.eq(at), at.add(1), where(position.eq(at.add(1)), at, position));
            x = x.gather(1, where(chosen, swapped, position));
        }
        return x;
    }
}
