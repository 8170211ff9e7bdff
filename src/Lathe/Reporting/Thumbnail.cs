using Lathe.Data;
using SkiaSharp;

namespace Lathe.Reporting;

/// <summary>One image of an image column as a PNG at its own size, for embedding in a report.</summary>
public static class Thumbnail
{
    public static byte[] Png(ImageColumn images, int row)
    {
        var pixels = images.Pixels.AsSpan(row * images.PixelsPerImage, images.PixelsPerImage);
        var plane = images.Width * images.Height;
        using var bitmap = new SKBitmap(images.Width, images.Height);
        for (var y = 0; y < images.Height; y++)
            for (var x = 0; x < images.Width; x++)
            {
                var i = y * images.Width + x;
                bitmap.SetPixel(x, y, images.Channels == 3
                    ? new SKColor(pixels[i], pixels[plane + i], pixels[2 * plane + i])
                    : new SKColor(pixels[i], pixels[i], pixels[i]));
            }
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
