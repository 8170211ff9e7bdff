using static TorchSharp.torch;

namespace Lathe.Data.Augmentation;

/// <summary>Adds Gaussian noise of a fixed standard deviation to every standardised feature of a training
/// batch: a simple regulariser for small tables. With <paramref name="numeric"/>, only the first that many features
/// (an <see cref="Pipeline.InputLayout"/>'s numbers) are touched: category codes and token ids are never noised.</summary>
public sealed class TableNoise(double std, long? numeric = null) : IBatchAugmentation
{
    public Tensor Apply(Tensor batch, Generator generator)
    {
        if (numeric is not { } width || width == batch.size(1)) return batch.add(randn(batch.shape, generator: generator).mul(std));
        var noised = batch.clone();
        if (width > 0) noised.narrow(1, 0, width).add_(randn([batch.size(0), width], generator: generator).mul(std));
        return noised;
    }
}
