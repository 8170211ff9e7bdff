using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>2×2 max pooling with stride 2, what <c>MaxPool2d(2)</c> computes (the same values, NaN passed on, an odd
/// last row or column left out). libtorch's max_pool2d builds the index of every maximum and walks the input badly for
/// this shape (24 ns an output on one thread: a training batch of 128 [32, 28, 28] pictures took 9.3 ms forward with two
/// threads, PyTorch 1.13's 7.5 ms). <see cref="Pooling"/> does it in one branch-free pass over the input's memory; with
/// a gradient it also keeps which of the four won, and its backward puts each output's gradient there. Without a
/// gradient (validation, evaluation, prediction, serving), large inputs on several engine threads take two element-wise
/// maximums over strided views instead (one [32, 32, 28, 28] batch 0.28 against max_pool2d's 5.2 ms; docs/serving.md,
/// "The CNN's forward pass"). Inputs the loop cannot take (not float32, not contiguous, not on the CPU) go to
/// max_pool2d with a gradient and to the strided maximums without.</summary>
public sealed class MaxPool : nn.Module<Tensor, Tensor>
{
    public MaxPool() : base("MaxPool2d") { }

    public override Tensor forward(Tensor input)
    {
        if (input.requires_grad && is_grad_enabled())
            return Pooling.Fits(input) ? Pooling.apply(input) : nn.functional.max_pool2d(input, 2);
        // Without a gradient the loop wins on one engine thread (the server's default) and for small inputs: one image's
        // [32, 28, 28] 13.6 → 6.0 µs, 256 of them at one thread 2.0 → 1.4 ms; at two threads libtorch's strided
        // maximums share the work and a batch of 256 is faster there (0.98 against 1.41 ms).
        if (Pooling.Fits(input) && (input.numel() <= 1 << 16 || get_num_threads() == 1)) return Pooling.Values(input);
        long height = input.size(-2) / 2 * 2, width = input.size(-1) / 2 * 2;
        using var top = input.slice(-2, 0, height, 2);
        using var bottom = input.slice(-2, 1, height, 2);
        using var rows = top.maximum(bottom);
        using var left = rows.slice(-1, 0, width, 2);
        using var right = rows.slice(-1, 1, width, 2);
        return left.maximum(right);
    }

    /// <summary>The pooling as an autograd function over the tensors' own memory: the forward pass writes each window's
    /// maximum and the position (0–3, in reading order) that gave it, chosen as libtorch chooses (the first of equal
    /// values; a NaN wins); the backward pass writes each output's gradient at that position and zero at the other
    /// three. It runs on the calling thread: split between two threads, a training step was no faster (libtorch's
    /// OpenMP threads are still spinning between its operations).</summary>
    internal sealed class Pooling : autograd.SingleTensorFunction<Pooling>
    {
        public override string Name => "MaxPool2x2";

        public static bool Fits(Tensor input) =>
            input.dim() == 4 && input.dtype == ScalarType.Float32 && input.device_type == DeviceType.CPU && input.is_contiguous()
            && input.size(2) >= 2 && input.size(3) >= 2 && input.numel() < int.MaxValue;

        /// <summary>The pooled values alone, for a pass without gradients; the winners go to a rented buffer.</summary>
        public static Tensor Values(Tensor input)
        {
            var (planes, height, width) = ((int)(input.size(0) * input.size(1)), (int)input.size(2), (int)input.size(3));
            var output = empty(input.size(0), input.size(1), height / 2, width / 2);
            var winners = System.Buffers.ArrayPool<byte>.Shared.Rent(planes * (height / 2) * (width / 2));
            Forward(Floats(input), Floats(output), winners, planes, height, width);
            System.Buffers.ArrayPool<byte>.Shared.Return(winners);
            return output;
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            var (planes, height, width) = ((int)(input.size(0) * input.size(1)), (int)input.size(2), (int)input.size(3));
            var output = empty(input.size(0), input.size(1), height / 2, width / 2);
            // Which of the four won, one byte an output; a tensor, so that the batch's dispose scope frees it.
            var winners = empty([input.size(0), input.size(1), height / 2, width / 2], ScalarType.Byte);
            Forward(Floats(input), Floats(output), winners.bytes, planes, height, width);
            ctx.save_for_backward([winners]);
            ctx.save_data("shape", (planes, height, width));
            return output;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var winners = ctx.get_saved_variables()[0];
            var (planes, height, width) = ((int, int, int))ctx.get_data("shape");
            using var gradient = gradOutput.contiguous();
            // Every element of a window is written; a row or column outside every window (odd sizes) stays zero.
            var size = new[] { gradOutput.size(0), gradOutput.size(1), height, width };
            var gradInput = height % 2 == 0 && width % 2 == 0 ? empty(size) : zeros(size);
            Backward(Floats(gradient), Floats(gradInput), winners.bytes, planes, height, width);
            return [gradInput];
        }

        /// <summary>Which of four bits is set → the byte 1 at that position of four: a 4-bit mask to four 0/1 bytes.</summary>
        private static ReadOnlySpan<uint> Spread =>
        [
            0x00000000, 0x00000001, 0x00000100, 0x00000101, 0x00010000, 0x00010001, 0x00010100, 0x00010101,
            0x01000000, 0x01000001, 0x01000100, 0x01000101, 0x01010000, 0x01010001, 0x01010100, 0x01010101,
        ];

        internal static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<byte> winners, int planes, int height, int width)
        {
            var (outHeight, outWidth) = (height / 2, width / 2);
            for (var plane = 0; plane < planes; plane++)
            {
                for (var y = 0; y < outHeight; y++)
                {
                    var top = input.Slice((plane * height + 2 * y) * width, 2 * outWidth);
                    var bottom = input.Slice((plane * height + 2 * y + 1) * width, 2 * outWidth);
                    var at = (plane * outHeight + y) * outWidth;
                    if (Sse.IsSupported && outWidth >= 4) ForwardRow(top, bottom, output.Slice(at, outWidth), winners.Slice(at, outWidth));
                    else ForwardRowScalar(top, bottom, output.Slice(at, outWidth), winners.Slice(at, outWidth));
                }
            }
        }

        /// <summary>Four windows at a time, branch-free (a branch per comparison mispredicts on half of real data: 14× slower
        /// measured). The last four are the row's last four, overlapping the ones before when the row is not a multiple of
        /// four: they are written again with the same values.</summary>
        private static void ForwardRow(ReadOnlySpan<float> top, ReadOnlySpan<float> bottom, Span<float> output, Span<byte> winners)
        {
            var outWidth = output.Length;
            for (var x = 0; ; x += 4)
            {
                x = Math.Min(x, outWidth - 4);
                Vector128<float> top0 = Vector128.Create(top.Slice(2 * x, 4)), top1 = Vector128.Create(top.Slice(2 * x + 4, 4));
                Vector128<float> bottom0 = Vector128.Create(bottom.Slice(2 * x, 4)), bottom1 = Vector128.Create(bottom.Slice(2 * x + 4, 4));
                // Each window's four values, in reading order, for four windows.
                var (a, b) = (Sse.Shuffle(top0, top1, 0b10_00_10_00), Sse.Shuffle(top0, top1, 0b11_01_11_01));
                var (c, d) = (Sse.Shuffle(bottom0, bottom1, 0b10_00_10_00), Sse.Shuffle(bottom0, bottom1, 0b11_01_11_01));
                var takeB = Vector128.GreaterThan(b, a) | ~Vector128.Equals(b, b);
                var best = Vector128.ConditionalSelect(takeB, b, a);
                var takeC = Vector128.GreaterThan(c, best) | ~Vector128.Equals(c, c);
                best = Vector128.ConditionalSelect(takeC, c, best);
                var takeD = Vector128.GreaterThan(d, best) | ~Vector128.Equals(d, d);
                best = Vector128.ConditionalSelect(takeD, d, best);
                best.CopyTo(output.Slice(x, 4));
                // The winner's two bits: 1 (b) and 3 (d) are odd, 2 (c) and 3 (d) high.
                var odd = Vector128.AndNot(takeB, takeC) | takeD;
                var high = takeC | takeD;
                var bytes = Spread[(int)odd.ExtractMostSignificantBits()] | Spread[(int)high.ExtractMostSignificantBits()] << 1;
                MemoryMarshal.Write(winners.Slice(x, 4), in bytes);
                if (x == outWidth - 4) return;
            }
        }

        /// <summary>libtorch's rule, in reading order: a later value wins when it is larger or NaN.</summary>
        private static void ForwardRowScalar(ReadOnlySpan<float> top, ReadOnlySpan<float> bottom, Span<float> output, Span<byte> winners)
        {
            for (var x = 0; x < output.Length; x++)
            {
                var best = top[2 * x];
                byte winner = 0;
                var value = top[2 * x + 1];
                if (value > best || float.IsNaN(value)) (best, winner) = (value, 1);
                value = bottom[2 * x];
                if (value > best || float.IsNaN(value)) (best, winner) = (value, 2);
                value = bottom[2 * x + 1];
                if (value > best || float.IsNaN(value)) (best, winner) = (value, 3);
                output[x] = best;
                winners[x] = winner;
            }
        }

        private static void Backward(ReadOnlySpan<float> gradOutput, Span<float> gradInput, ReadOnlySpan<byte> winners, int planes, int height, int width)
        {
            var (outHeight, outWidth) = (height / 2, width / 2);
            for (var plane = 0; plane < planes; plane++)
            {
                for (var y = 0; y < outHeight; y++)
                {
                    var top = gradInput.Slice((plane * height + 2 * y) * width, 2 * outWidth);
                    var bottom = gradInput.Slice((plane * height + 2 * y + 1) * width, 2 * outWidth);
                    var at = (plane * outHeight + y) * outWidth;
                    var gradients = gradOutput.Slice(at, outWidth);
                    var won = winners.Slice(at, outWidth);
                    if (Sse2.IsSupported && outWidth >= 4) BackwardRow(gradients, won, top, bottom);
                    else BackwardRowScalar(gradients, won, top, bottom);
                }
            }
        }

        /// <summary>Four windows at a time, branch-free like <see cref="ForwardRow"/>: each window's gradient goes to its
        /// winner, zero to the other three.</summary>
        private static void BackwardRow(ReadOnlySpan<float> gradients, ReadOnlySpan<byte> winners, Span<float> top, Span<float> bottom)
        {
            var outWidth = gradients.Length;
            for (var x = 0; ; x += 4)
            {
                x = Math.Min(x, outWidth - 4);
                var gradient = Vector128.Create(gradients.Slice(x, 4));
                var winner = Vector128.Create((int)winners[x], winners[x + 1], winners[x + 2], winners[x + 3]);
                var a = gradient & Vector128.Equals(winner, Vector128<int>.Zero).AsSingle();
                var b = gradient & Vector128.Equals(winner, Vector128.Create(1)).AsSingle();
                var c = gradient & Vector128.Equals(winner, Vector128.Create(2)).AsSingle();
                var d = gradient & Vector128.Equals(winner, Vector128.Create(3)).AsSingle();
                Sse.UnpackLow(a, b).CopyTo(top.Slice(2 * x, 4));
                Sse.UnpackHigh(a, b).CopyTo(top.Slice(2 * x + 4, 4));
                Sse.UnpackLow(c, d).CopyTo(bottom.Slice(2 * x, 4));
                Sse.UnpackHigh(c, d).CopyTo(bottom.Slice(2 * x + 4, 4));
                if (x == outWidth - 4) return;
            }
        }

        private static void BackwardRowScalar(ReadOnlySpan<float> gradients, ReadOnlySpan<byte> winners, Span<float> top, Span<float> bottom)
        {
            for (var x = 0; x < gradients.Length; x++)
            {
                var (gradient, winner) = (gradients[x], winners[x]);
                top[2 * x] = winner == 0 ? gradient : 0;
                top[2 * x + 1] = winner == 1 ? gradient : 0;
                bottom[2 * x] = winner == 2 ? gradient : 0;
                bottom[2 * x + 1] = winner == 3 ? gradient : 0;
            }
        }

        private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
    }
}
