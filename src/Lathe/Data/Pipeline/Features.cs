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

    /// <summary><paramref name="count"/> rows from <paramref name="start"/>, followed by zero rows up to <paramref name="rows"/>
    /// in all: a served pass padded to a fixed size (<c>lathe serve --exact-batches</c>).</summary>
    public Features Slice(int start, int count, int rows)
    {
        if (start < 0 || count < 0 || start + count > Rows || rows < count) throw new ArgumentOutOfRangeException(nameof(count), $"rows {start}..{start + count} padded to {rows} of {Rows}");
        var width = (int)ItemShape.Aggregate(1L, (a, b) => a * b);
        return IsImage
            ? new Features(rows, ItemShape, null, Padded(Pixels!, start * width, count * width, rows * width), Scale, Shift)
            : new Features(rows, ItemShape, Padded(Values!, start * width, count * width, rows * width), null, 1, 0);
    }

    private static T[] Padded<T>(T[] source, int start, int length, int total)
    {
        var padded = new T[total];
        Array.Copy(source, start, padded, 0, length);
        return padded;
    }

    /// <summary>Several sets of rows of one layout (the same pipeline's output) as one, in order: a served batch.</summary>
    public static Features Concat(IReadOnlyList<Features> parts)
    {
        if (parts.Count == 1) return parts[0];
        var first = parts[0];
        foreach (var part in parts)
            if (!part.ItemShape.SequenceEqual(first.ItemShape) || part.IsImage != first.IsImage || part.Scale != first.Scale || part.Shift != first.Shift)
                throw new ArgumentException("rows of different layouts cannot be joined", nameof(parts));
        var rows = parts.Sum(p => p.Rows);
        if (first.IsImage)
            return new Features(rows, first.ItemShape, null, Join(parts.Select(p => p.Pixels!)), first.Scale, first.Shift);
        return new Features(rows, first.ItemShape, Join(parts.Select(p => p.Values!)), null, 1, 0);
    }

    private static T[] Join<T>(IEnumerable<T[]> arrays)
    {
        var all = arrays.ToArray();
        var joined = GC.AllocateUninitializedArray<T>(all.Sum(a => a.Length));
        var at = 0;
        foreach (var array in all)
        {
            array.CopyTo(joined, at);
            at += array.Length;
        }
        return joined;
    }
}
