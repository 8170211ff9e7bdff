using Lathe.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>Sets the starting weights of every Linear and Conv layer (and the ensemble's and number embedding's
/// per-member or per-number slices, each as a Linear) as <c>training.init</c> says, with biases
/// at 0; other layers (normalisation, embeddings) keep their own. Draws come from one generator seeded by the
/// run's seed, layer after layer in module order, so the same seed gives the same weights.</summary>
public static class Initialization
{
    public static void Apply(nn.Module module, InitKind kind, int seed)
    {
        if (kind == InitKind.Auto) return;
        using var _ = no_grad();
        using var generator = new Generator(new SeededRandom(seed, stream: 77).NextUInt64());
        foreach (var layer in module.modules())
        {
            var (weight, bias) = layer switch
            {
                Linear l => (l.weight, l.bias),
                Conv1d c => (c.weight, c.bias),
                Conv2d c => (c.weight, c.bias),
                Models.Conv c => (c.weight, c.bias),
                Models.EnsembleLinear e => (e.weight, e.bias),
                _ => (null, null),
            };
            // An ensemble's heads: each member's slice is laid out as a Linear's weight, [outputs, inputs], and filled as one.
            if (layer is Models.EnsembleHead head)
            {
                for (var m = 0; m < head.weight.shape[0]; m++)
                {
                    using var slice = head.weight[m];
                    Fill(slice, kind, generator);
                }
                head.bias.zero_();
            }
            // A number embedding: each number's slice, [width, its bins], is filled as a Linear of that many inputs.
            if (layer is Models.NumberEmbedding numbers)
            {
                for (var n = 0; n < numbers.Bins.Count; n++)
                {
                    using var member = numbers.weight[n];
                    using var slice = member.narrow(1, 0, numbers.Bins[n]);
                    Fill(slice, kind, generator);
                }
                numbers.bias.zero_();
            }
            if (weight is null) continue;
            Fill(weight, kind, generator);
            bias?.zero_();
        }
    }

    /// <summary>Fills a weight of shape [out, in, kernel…] in place.</summary>
    public static void Fill(Tensor weight, InitKind kind, Generator generator)
    {
        var receptive = weight.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        double fanIn = weight.shape[1] * receptive, fanOut = weight.shape[0] * receptive;
        switch (kind)
        {
            case InitKind.XavierUniform:
                var a = Math.Sqrt(6 / (fanIn + fanOut));
                weight.uniform_(-a, a, generator);
                break;
            case InitKind.XavierNormal:
                weight.normal_(0, Math.Sqrt(2 / (fanIn + fanOut)), generator);
                break;
            // Kaiming for ReLU (gain √2), from the fan-in, as He et al. (2015) derive for the forward pass.
            case InitKind.KaimingUniform:
                var bound = Math.Sqrt(6 / fanIn);
                weight.uniform_(-bound, bound, generator);
                break;
            case InitKind.KaimingNormal:
                weight.normal_(0, Math.Sqrt(2 / fanIn), generator);
                break;
            case InitKind.Orthogonal:
                weight.copy_(Orthogonal(weight.shape[0], weight.numel() / weight.shape[0], generator).reshape(weight.shape));
                break;
            case InitKind.Zeros:
                weight.zero_();
                break;
        }
    }

    /// <summary>A rows × columns matrix with orthonormal rows (or columns, whichever are fewer): the Q of a
    /// Gaussian matrix's QR decomposition, signs fixed by R's diagonal so Q is uniform (Saxe et al., 2014).</summary>
    private static Tensor Orthogonal(long rows, long columns, Generator generator)
    {
        var tall = rows >= columns;
        using var gaussian = empty(tall ? rows : columns, tall ? columns : rows).normal_(0, 1, generator);
        var (q, r) = linalg.qr(gaussian);
        using (r)
        {
            using var signs = r.diagonal().sign();
            var fixedQ = q * signs;
            q.Dispose();
            return tall ? fixedQ : fixedQ.t();
        }
    }
}
