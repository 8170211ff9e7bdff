using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>2×2 max pooling with stride 2, what <c>MaxPool2d(2)</c> computes (the same values, NaN passed on, an odd
/// last row or column left out), as two element-wise maximums over strided views. libtorch's max_pool2d also builds
/// the index of every maximum and walks the input badly for this shape: one [32, 32, 28, 28] batch took 5.2 ms against
/// 0.28 ms here, one image 48 against 17 µs (docs/serving.md, "The CNN's forward pass"). That is for passes without
/// gradients (validation, evaluation, prediction, serving). When a gradient is wanted, max_pool2d runs: the maximums'
/// backward was the slower one (a training epoch at 1,680–1,960 against 2,170 images/s), and the values are the same.</summary>
public sealed class MaxPool : nn.Module<Tensor, Tensor>
{
    public MaxPool() : base("MaxPool2d") { }

    public override Tensor forward(Tensor input)
    {
        if (input.requires_grad && is_grad_enabled()) return nn.functional.max_pool2d(input, 2);
        long height = input.size(-2) / 2 * 2, width = input.size(-1) / 2 * 2;
        using var top = input.slice(-2, 0, height, 2);
        using var bottom = input.slice(-2, 1, height, 2);
        using var rows = top.maximum(bottom);
        using var left = rows.slice(-1, 0, width, 2);
        using var right = rows.slice(-1, 1, width, 2);
        return left.maximum(right);
    }
}
