using System.Buffers.Binary;
using System.IO.Compression;

namespace Lathe.Data.Sources;

/// <summary>Reads IDX files (as MNIST and Fashion-MNIST ship them, gzipped or not): a 3-dimensional
/// uint8 file becomes an <c>image</c> column, and the matching labels file a <c>label</c> column.</summary>
public sealed class IdxSource(string images, string? labels) : IDataSource
{
    public string Name => images;
    public IReadOnlyList<string> Files => labels is null ? [images] : [images, labels];

    public Table Read(CancellationToken cancellationToken = default)
    {
        var (imageDims, pixels) = ReadIdx(images);
        var columns = new List<Column>();
        switch (imageDims.Length)
        {
            case 3:
                columns.Add(new ImageColumn("image", pixels, 1, imageDims[1], imageDims[2]));
                break;
            case 4:
                // [count, height, width, channels] as stored; kept channel-first for the engine.
                columns.Add(new ImageColumn("image", ToChannelFirst(pixels, imageDims), imageDims[3], imageDims[1], imageDims[2]));
                break;
            default:
                throw new DataException($"{images}: expected images ([count, height, width]), found {imageDims.Length} dimension(s) — give the images file as data.path and the labels file as data.labels");
        }
        if (labels is not null)
        {
            var (labelDims, values) = ReadIdx(labels);
            if (labelDims.Length != 1)
                throw new DataException($"{labels}: expected a 1-dimensional labels file, found {labelDims.Length} dimensions");
            if (labelDims[0] != imageDims[0])
                throw new DataException($"{labels}: has {labelDims[0]} labels but {Path.GetFileName(images)} has {imageDims[0]} images — they must come in matching pairs");
            columns.Add(new NumericColumn("label", values.Select(v => (double)v).ToArray()));
        }
        return new Table(columns, Path.GetFileName(images));
    }

    private static (int[] Dims, byte[] Data) ReadIdx(string path)
    {
        using var file = File.OpenRead(path);
        var magic = new byte[2];
        file.ReadExactly(magic);
        file.Position = 0;
        using Stream stream = magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            Span<byte> header = stackalloc byte[4];
            stream.ReadExactly(header);
            if (header[0] != 0 || header[1] != 0)
                throw new DataException($"{path}: not an IDX file (the first two bytes must be zero)");
            if (header[2] != 0x08)
                throw new DataException($"{path}: IDX element type 0x{header[2]:x2} is not supported; Lathe reads unsigned bytes (0x08)");
            var dims = new int[header[3]];
            long total = 1;
            for (var i = 0; i < dims.Length; i++)
            {
                stream.ReadExactly(header);
                dims[i] = BinaryPrimitives.ReadInt32BigEndian(header);
                if (dims[i] < 0) throw new DataException($"{path}: dimension {i} is negative");
                total *= dims[i];
            }
            if (total > Array.MaxLength) throw new DataException($"{path}: declares {total} values, more than fit in memory at once");
            var data = new byte[total];
            stream.ReadExactly(data);
            return (dims, data);
        }
        catch (EndOfStreamException)
        {
            throw new DataException($"{path}: truncated — the file ends before the size its header declares");
        }
        catch (InvalidDataException e)
        {
            throw new DataException($"{path}: corrupt gzip data: {e.Message}");
        }
    }

    private static byte[] ToChannelFirst(byte[] hwc, int[] dims)
    {
        int count = dims[0], height = dims[1], width = dims[2], channels = dims[3];
        var chw = new byte[hwc.Length];
        var plane = height * width;
        for (var n = 0; n < count; n++)
            for (var p = 0; p < plane; p++)
                for (var c = 0; c < channels; c++)
                    chw[(n * channels + c) * plane + p] = hwc[(n * plane + p) * channels + c];
        return chw;
    }
}
