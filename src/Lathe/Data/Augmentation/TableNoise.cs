using static TorchSharp.torch;

namespace Lathe.Data.Augmentation;

/// <summary>Adds Gaussian noise of a fixed standard deviation to every standardised feature of a training
/// batch: a simple regulariser for small tables.</summary>
public sealed class TableNoise(double std) : IBatchAugmentation
{
    public Tensor Apply(Tensor batch, Generator generator) => batch.add(randn(batch.shape, generator: generator).mul(std));
}
