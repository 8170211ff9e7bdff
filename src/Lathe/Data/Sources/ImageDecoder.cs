using SkiaSharp;

namespace Lathe.Data.Sources;

/// <summary>Decodes image files with SkiaSharp (PNG, JPEG, BMP, GIF, WebP) into RGB bytes at a given size,
/// for the image-folder source and for tables with an image-path column.</summary>
public static class ImageDecoder
{
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    public static bool LooksLikeImage(string path) => Extensions.Contains(Path.GetExtension(path.Trim()).ToLowerInvariant());

    /// <summary>The most common (height, width) among the files, read from their headers; null when none decodes.</summary>
    public static (int Height, int Width)? CommonSize(IEnumerable<string> paths)
    {
        var sizes = new Dictionary<(int, int), int>();
        foreach (var path in paths.Take(2000))
        {
            if (!File.Exists(path)) continue;
            using var codec = SKCodec.Create(path);
            if (codec is null) continue;
            var key = (codec.Info.Height, codec.Info.Width);
            sizes[key] = sizes.GetValueOrDefault(key) + 1;
        }
        return sizes.Count == 0 ? null : sizes.MaxBy(p => p.Value).Key;
    }

    /// <summary>Whether the file is there and its header is an image's: a cheap check before the one full
    /// decode, which still names the row should the body turn out to be damaged.</summary>
    public static bool CanRead(string path)
    {
        if (!File.Exists(path)) return false;
        using var codec = SKCodec.Create(path);
        return codec is not null;
    }

    /// <summary>The image as RGB bytes (height × width × 3) resized to the target, or null when it cannot be
    /// read. <paramref name="gray"/> turns false when any pixel has colour.</summary>
    public static byte[]? Decode(string path, int height, int width, ref bool gray)
    {
        if (!File.Exists(path)) return null;
        using var decoded = SKBitmap.Decode(path);
        return decoded is null ? null : ToRgb(decoded, height, width, ref gray);
    }

    /// <summary>A decoded image as RGB bytes (height × width × 3) resized to the target; null when it cannot be resized.</summary>
    public static byte[]? ToRgb(SKBitmap decoded, int height, int width, ref bool gray)
    {
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

    /// <summary>RGB images (height × width × 3 each) packed channel-first, keeping one channel when all are gray.</summary>
    public static ImageColumn Pack(string name, IReadOnlyList<byte[]> rgb, int height, int width, int channels)
    {
        var plane = height * width;
        var all = new byte[rgb.Count * channels * plane];
        for (var i = 0; i < rgb.Count; i++)
        {
            var image = all.AsSpan(i * channels * plane, channels * plane);
            for (var c = 0; c < channels; c++)
                for (var p = 0; p < plane; p++) image[c * plane + p] = rgb[i][p * 3 + c];
        }
        return new ImageColumn(name, all, channels, height, width);
    }
}
