using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A text encoder's body: int64 token ids [batch, length] (padding id 0 at the end) → one vector per row.</summary>
public interface ISequenceEncoder
{
    /// <summary>The pooled vector's width.</summary>
    long Width { get; }

    /// <summary>The pooled vectors [batch, <see cref="Width"/>], before dropout and head. The caller owns it.</summary>
    Tensor Encode(Tensor tokens);
}
