using Lathe.Data.Cleaning;
using SkiaSharp;

namespace Lathe.Data.Sources;

/// <summary>Reads a folder of images with one sub-folder per class (<c>shoes/…png</c>, <c>shirts/…jpg</c>):
/// PNG, JPEG, BMP, GIF and WebP, decoded with SkiaSharp. Every image is resized to one size — the one
/// given, or the most common in the folder — and kept grayscale when every image is gray. The table has an
/// <c>image</c> column, a <c>label</c> column (the sub-folder) and a <c>path</c> column. A file that cannot
/// be decoded is quarantined with its path, not fatal.</summary>
public sealed class ImageFolderSource(string directory, IReadOnlyList<int>? size = null) : IDataSource
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    public IReadOnlyList<string> Files => ImageFiles().Select(f => f.Path).ToArray();

    public Table Read(CancellationToken cancellationToken = default)
    {
        var files = ImageFiles();
        if (files.Count == 0)
            throw new DataException($"{directory}: no images found — expected one sub-folder per class holding {string.Join(", ", Extensions)} files");
        var (height, width) = TargetSize(files);

        var quarantined = new List<QuarantinedRow>();
        var rgb = new List<byte[]>();
        var labels = new List<string?>();
        var paths = new List<string?>();
        var gray = true;
        for (var i = 0; i < files.Count; i++)
        {
            if (i % 256 == 0) cancellationToken.ThrowIfCancellationRequested();
            var (label, path) = files[i];
            var pixels = Decode(path, height, width, ref gray);
            if (pixels is null)
            {
                quarantined.Add(new QuarantinedRow(i + 1, "not a decodable image", Path.GetRelativePath(directory, path)));
                continue;
            }
            rgb.Add(pixels);
            labels.Add(label);
            paths.Add(Path.GetRelativePath(directory, path));
        }

        var plane = height * width;
        var channels = gray ? 1 : 3;
        var all = new byte[rgb.Count * channels * plane];
        for (var i = 0; i < rgb.Count; i++)
        {
            var image = all.AsSpan(i * channels * plane, channels * plane);
            for (var c = 0; c < channels; c++)
                for (var p = 0; p < plane; p++) image[c * plane + p] = rgb[i][p * 3 + c];
        }
        Column[] columns = [new ImageColumn("image", all, channels, height, width), new StringColumn("label", labels.ToArray()), new StringColumn("path", paths.ToArray())];
        return new Table(columns, Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), quarantined: quarantined);
    }

    private List<(string Label, string Path)> ImageFiles() =>
        Directory.GetDirectories(directory).Order(StringComparer.Ordinal)
            .SelectMany(folder => Directory.GetFiles(folder).Order(StringComparer.Ordinal)
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Select(f => (Path.GetFileName(folder), f)))
            .ToList();

    /// <summary>The size given, or the most common size among the images (read from headers, not decoded).</summary>
    private (int Height, int Width) TargetSize(List<(string Label, string Path)> files)
    {
        if (size is { Count: 2 }) return (size[0], size[1]);
        var sizes = new Dictionary<(int, int), int>();
        foreach (var (_, path) in files.Take(2000))
        {
            using var codec = SKCodec.Create(path);
            if (codec is null) continue;
            var key = (codec.Info.Height, codec.Info.Width);
            sizes[key] = sizes.GetValueOrDefault(key) + 1;
        }
        if (sizes.Count == 0) throw new DataException($"{directory}: none of the images can be decoded");
        return sizes.MaxBy(p => p.Value).Key;
    }

    /// <summary>The image as RGB bytes at the target size, or null when it cannot be decoded.</summary>
    private static byte[]? Decode(string path, int height, int width, ref bool gray)
    {
        using var decoded = SKBitmap.Decode(path);
        if (decoded is null) return null;
        using var rgba = decoded.Copy(SKColorType.Rgba8888);
        using var sized = rgba.Width == width && rgba.Height == height
            ? rgba.Copy()
            : rgba.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        if (sized is null) return null;
        var source = sized.GetPixelSpan();
        var pixels = new byte[width * height * 3];
        for (var p = 0; p < width * height; p++)
        {
            byte r = source[p * 4], g = source[p * 4 + 1], b = source[p * 4 + 2];
            pixels[p * 3] = r;
            pixels[p * 3 + 1] = g;
            pixels[p * 3 + 2] = b;
            if (r != g || g != b) gray = false;
        }
        return pixels;
    }
}
