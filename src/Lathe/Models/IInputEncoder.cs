using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>One input column's encoder body, built without dropout and head: a text column's int64 token ids
/// [batch, length] (padding id 0 at the end), or an image column's float32 pixels [batch, channels, height, width] →
/// one vector per row, which <see cref="TabularNet"/> concatenates with the table's other inputs.</summary>
public interface IInputEncoder
{
    /// <summary>The vector's width.</summary>
    long Width { get; }

    /// <summary>The vectors [batch, <see cref="Width"/>], before dropout and head. The caller owns it.</summary>
    Tensor Encode(Tensor input);
}
