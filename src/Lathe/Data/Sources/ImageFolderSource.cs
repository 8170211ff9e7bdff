using Lathe.Data.Cleaning;

namespace Lathe.Data.Sources;

/// <summary>Reads a folder of images with one sub-folder per class (<c>shoes/…png</c>, <c>shirts/…jpg</c>):
/// PNG, JPEG, BMP, GIF and WebP, decoded with SkiaSharp. Every image is resized to one size — the one
/// given, or the most common in the folder — and kept grayscale when every image is gray. The table has an
/// <c>image</c> column, a <c>label</c> column (the sub-folder) and a <c>path</c> column. A file that cannot
/// be decoded is quarantined with its path, not fatal.</summary>
public sealed class ImageFolderSource(string directory, IReadOnlyList<int>? size = null) : IDataSource
{
    public string Name => directory;
    public IReadOnlyList<string> Files => ImageFiles().Select(f => f.Path).ToArray();

    public Table Read(CancellationToken cancellationToken = default)
    {
        var files = ImageFiles();
        if (files.Count == 0)
            throw new DataException($"{directory}: no images found — expected one sub-folder per class holding {string.Join(", ", ImageDecoder.Extensions)} files");
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
            var pixels = ImageDecoder.Decode(path, height, width, ref gray);
            if (pixels is null)
            {
                quarantined.Add(new QuarantinedRow(i + 1, "not a decodable image", Path.GetRelativePath(directory, path)));
                continue;
            }
            rgb.Add(pixels);
            labels.Add(label);
            paths.Add(Path.GetRelativePath(directory, path));
        }

        Column[] columns = [ImageDecoder.Pack("image", rgb, height, width, gray ? 1 : 3), new StringColumn("label", labels.ToArray()), new StringColumn("path", paths.ToArray())];
        return new Table(columns, Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), quarantined: quarantined, directory: Path.GetFullPath(directory));
    }

    private List<(string Label, string Path)> ImageFiles() =>
        Directory.GetDirectories(directory).Order(StringComparer.Ordinal)
            .SelectMany(folder => Directory.GetFiles(folder).Order(StringComparer.Ordinal)
                .Where(ImageDecoder.LooksLikeImage)
                .Select(f => (Path.GetFileName(folder), f)))
            .ToList();

    /// <summary>The size given, or the most common size among the images (read from headers, not decoded).</summary>
    private (int Height, int Width) TargetSize(List<(string Label, string Path)> files) =>
        size is { Count: 2 } ? (size[0], size[1])
        : ImageDecoder.CommonSize(files.Select(f => f.Path)) ?? throw new DataException($"{directory}: none of the images can be decoded");
}
