using static TorchSharp.torch;

namespace Lathe.Data.Augmentation;

/// <summary>Changes a training batch at random, drawing only from the generator it is given, so the same
/// seed, epoch and batch always give the same change.</summary>
public interface IBatchAugmentation
{
    /// <summary>A new batch (images: float [B, C, H, W] in 0–1 before normalisation; tables: [B, F]). The caller's dispose scope owns it.</summary>
    Tensor Apply(Tensor batch, Generator generator);
}
