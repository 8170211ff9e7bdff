namespace Lathe.Data;

/// <summary>Images of one size, kept as uint8 pixels in one contiguous [count, channels, height, width]
/// buffer until a batch is formed. <see cref="Scale"/> and <see cref="Shift"/> are the fitted
/// normalisation applied then: value = pixel × scale + shift.</summary>
public sealed class ImageColumn(string name, byte[] pixels, int channels, int height, int width, float scale = 1f / 255, float shift = 0)
    : Column(name)
{
    public byte[] Pixels { get; } = pixels;
    public int Channels { get; } = channels;
    public int Height { get; } = height;
    public int Width { get; } = width;
    public float Scale { get; } = scale;
    public float Shift { get; } = shift;
    public int PixelsPerImage => Channels * Height * Width;
    public override int Count => Pixels.Length / PixelsPerImage;
    public override bool IsMissing(int row) => false;

    public override Column Gather(ReadOnlySpan<int> rows)
    {
        var size = PixelsPerImage;
        var picked = new byte[rows.Length * size];
        for (var i = 0; i < rows.Length; i++)
            Pixels.AsSpan(rows[i] * size, size).CopyTo(picked.AsSpan(i * size, size));
        return new ImageColumn(Name, picked, Channels, Height, Width, Scale, Shift);
    }

    public ImageColumn WithNormalisation(float scale, float shift) => new(Name, Pixels, Channels, Height, Width, scale, shift);
    public override Column Rename(string name) => new ImageColumn(name, Pixels, Channels, Height, Width, Scale, Shift);
}
