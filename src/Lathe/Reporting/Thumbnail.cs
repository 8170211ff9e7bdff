using Lathe.Data;
using SkiaSharp;

namespace Lathe.Reporting;

/// <summary>A row's images as one PNG at their own sizes, for embedding in a report: one image, or several side by
/// side (a row with several image columns), <see cref="Gap"/> white pixels apart, top-aligned on white.</summary>
public static class Thumbnail
{
    public const int Gap = 2;

    public static byte[] Png(ImageColumn images, int row) => Png([images], row);

    public static byte[] Png(IReadOnlyList<ImageColumn> images, int row)
    {
        using var bitmap = new SKBitmap(images.Sum(i => i.Width) + Gap * (images.Count - 1), images.Max(i => i.Height));
        bitmap.Erase(SKColors.White);
        var left = 0;
        foreach (var image in images)
        {
            Draw(bitmap, image, row, left);
            left += image.Width + Gap;
        }
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static void Draw(SKBitmap bitmap, ImageColumn images, int row, int left)
    {
        var pixels = images.Pixels.AsSpan(row * images.PixelsPerImage, images.PixelsPerImage);
        var plane = images.Width * images.Height;
        for (var y = 0; y < images.Height; y++)
            for (var x = 0; x < images.Width; x++)
            {
                var i = y * images.Width + x;
                bitmap.SetPixel(left + x, y, images.Channels == 3
                    ? new SKColor(pixels[i], pixels[plane + i], pixels[2 * plane + i])
                    : new SKColor(pixels[i], pixels[i], pixels[i]));
            }
    }
}
