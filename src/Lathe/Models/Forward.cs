using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>Runs a model over every row in fixed-size batches, in evaluation mode and without gradients.
/// Every prediction path (validation, evaluation, prediction, serving) goes through here, with the same
/// batch size, so a loaded bundle reproduces the training process's outputs bit for bit.</summary>
public static class Forward
{
    public const int BatchSize = 256;

    /// <summary>The most values a lone row may have to run on one engine thread (a 28x28 picture has 784).</summary>
    public const int LoneRowSize = 1024;

    /// <summary>The raw outputs, row-major [rows, outputs]: logits for classification, scaled values for regression.</summary>
    public static float[] Outputs(nn.Module<Tensor, Tensor> model, InputTensor input, int outputs)
    {
        var result = new float[input.Count * outputs];
        // eval() walks every submodule; a served model is already in evaluation mode, so a single row skips the walk.
        if (model.training) model.eval();
        using var _ = no_grad();
        // A lone small row (a table row, a Fashion-MNIST picture) runs on one engine thread (this thread's OpenMP setting,
        // put back after). Its layers are too small to share: the CNN's 28x28 row took 0.20-0.27 ms on two threads while
        // both kept a core and 0.49-0.62 ms in the stretches when they did not (this machine's two vCPUs), against
        // 0.19-0.30 ms on one thread throughout; an MLP row is 0.028 ms either way, and the outputs are bit for bit the
        // same (docs/benchmarks.md). Larger rows (bigger images) were not measured and keep every thread.
        var threads = input.Count == 1 && input.RowSize <= LoneRowSize ? get_num_threads() : 1;
        if (threads > 1) set_num_threads(1);
        try
        {
            for (long start = 0; start < input.Count; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                var length = Math.Min(BatchSize, input.Count - start);
                var output = model.forward(input.Slice(start, length)).contiguous();
                // The raw bytes of the contiguous output in one block copy (the data<float>() accessor copies element by element).
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(output.bytes).CopyTo(result.AsSpan((int)(start * outputs), (int)(length * outputs)));
            }
        }
        finally
        {
            if (threads > 1) set_num_threads(threads);
        }
        return result;
    }
}
