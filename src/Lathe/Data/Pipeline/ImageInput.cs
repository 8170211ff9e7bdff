namespace Lathe.Data.Pipeline;

/// <summary>An image column in an <see cref="InputLayout"/>, fused with table columns: its name, the shape the fitted
/// image steps give ([channels, height, width]), and the fitted normalisation its pixels are packed with (value =
/// pixel × <see cref="Scale"/> + <see cref="Shift"/>, in float32), which augmentation undoes to work on 0–1 pixels.</summary>
public sealed record ImageInput(string Name, int Channels, int Height, int Width, float Scale, float Shift)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public int Size => Channels * Height * Width;
}
