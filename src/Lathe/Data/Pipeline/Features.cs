namespace Lathe.Data.Pipeline;

/// <summary>The model's input for a set of rows, in one contiguous buffer: float32 [rows, features] for
/// tables, or uint8 [rows, channels, height, width] for images with the normalisation applied per batch.</summary>
public sealed class Features
{
    private Features(int rows, long[] itemShape, float[]? values, byte[]? pixels, float scale, float shift)
    {
        Rows = rows;
        ItemShape = itemShape;
        Values = values;
        Pixels = pixels;
        Scale = scale;
        Shift = shift;
    }

    public int Rows { get; }
    /// <summary>The shape of one row's input: [features] or [channels, height, width].</summary>
    public long[] ItemShape { get; }
    public float[]? Values { get; }
    public byte[]? Pixels { get; }
    public float Scale { get; }
    public float Shift { get; }
    public bool IsImage => Pixels is not null;

    public static Features FromTable(int rows, float[] values, int width) => new(rows, [width], values, null, 1, 0);

    public static Features FromImages(ImageColumn images) =>
        new(images.Count, [images.Channels, images.Height, images.Width], null, images.Pixels, images.Scale, images.Shift);
}
