using Lathe.Config;
using SkiaSharp;
using static TorchSharp.torch;

namespace Lathe.Data.Augmentation;

/// <summary>A picture of what augmentation does, before any training: a grid with one real image per row,
/// and as columns the original, each transform alone (at probability 1) and all of them together.</summary>
public static class AugmentationPreview
{
    private const int Zoom = 3, Gap = 6, Header = 22;

    /// <summary>PNG bytes of the grid for the first <paramref name="count"/> images.</summary>
    public static byte[] Render(ImageColumn images, AugmentConfig config, int count = 6, int seed = 0)
    {
        var steps = Transforms(config);
        if (steps.Count == 0) throw new LatheException("no image augmentation is turned on — set a probability above 0 under augment: (flip, rotate, crop, shift, brightness, contrast, noise, cutout)");
        count = Math.Min(count, images.Count);
        var columns = new List<(string Title, byte[][] Pixels)> { ("original", Slice(images, count)) };
        using (var scope = NewDisposeScope())
        {
            var batch = tensor(images.Pixels[..(count * images.PixelsPerImage)], [count, images.Channels, images.Height, images.Width], ScalarType.Byte).to_type(ScalarType.Float32).div(255);
            foreach (var (title, step) in steps.Append(("all together", config with { Flip = Sure(config.Flip), Rotate = Sure(config.Rotate), Crop = Sure(config.Crop), Shift = Sure(config.Shift), Brightness = Sure(config.Brightness), Contrast = Sure(config.Contrast), Noise = Sure(config.Noise), Cutout = Sure(config.Cutout) })))
            {
                using var generator = new Generator((ulong)seed);
                var result = new ImageAugmentation(step).Apply(batch, generator).mul(255).round().to_type(ScalarType.Byte).contiguous();
                var bytes = result.bytes.ToArray();
                columns.Add((title, Enumerable.Range(0, count).Select(i => bytes[(i * images.PixelsPerImage)..((i + 1) * images.PixelsPerImage)]).ToArray()));
            }
        }
        return Draw(columns, images, count);
    }

    private static double Sure(double p) => p > 0 ? 1 : 0;

    /// <summary>Each enabled transform on its own, at probability 1.</summary>
    private static List<(string Title, AugmentConfig Step)> Transforms(AugmentConfig c)
    {
        var none = new AugmentConfig();
        var steps = new List<(string, AugmentConfig)>();
        if (c.Flip > 0) steps.Add(("flip", none with { Flip = 1 }));
        if (c.Rotate > 0) steps.Add(($"rotate ±{c.RotateDegrees:0}°", none with { Rotate = 1, RotateDegrees = c.RotateDegrees }));
        if (c.Crop > 0) steps.Add(($"crop, pad {c.CropPadding}", none with { Crop = 1, CropPadding = c.CropPadding }));
        if (c.Shift > 0) steps.Add(($"shift ±{c.ShiftPixels}px", none with { Shift = 1, ShiftPixels = c.ShiftPixels }));
        if (c.Brightness > 0) steps.Add(($"brightness ±{c.BrightnessAmount:0.##}", none with { Brightness = 1, BrightnessAmount = c.BrightnessAmount }));
        if (c.Contrast > 0) steps.Add(($"contrast ×1±{c.ContrastAmount:0.##}", none with { Contrast = 1, ContrastAmount = c.ContrastAmount }));
        if (c.Noise > 0) steps.Add(($"noise σ {c.NoiseStd:0.##}", none with { Noise = 1, NoiseStd = c.NoiseStd }));
        if (c.Cutout > 0) steps.Add(($"cutout {c.CutoutSize}px", none with { Cutout = 1, CutoutSize = c.CutoutSize }));
        return steps;
    }

    private static byte[][] Slice(ImageColumn images, int count) =>
        Enumerable.Range(0, count).Select(i => images.Pixels[(i * images.PixelsPerImage)..((i + 1) * images.PixelsPerImage)]).ToArray();

    private static byte[] Draw(List<(string Title, byte[][] Pixels)> columns, ImageColumn images, int count)
    {
        int cell = Math.Max(images.Width * Zoom, 112), cellHeight = images.Height * Zoom;
        var width = columns.Count * (cell + Gap) + Gap;
        var height = Header + count * (cellHeight + Gap) + Gap;
        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 12);
        using var ink = new SKPaint { Color = new SKColor(0x1d, 0x24, 0x30), IsAntialias = true };
        for (var c = 0; c < columns.Count; c++)
        {
            var left = Gap + c * (cell + Gap);
            canvas.DrawText(columns[c].Title, left + cell / 2f, Header - 7, SKTextAlign.Center, font, ink);
            for (var r = 0; r < count; r++)
            {
                using var image = ToBitmap(columns[c].Pixels[r], images);
                var x = left + (cell - images.Width * Zoom) / 2;
                canvas.DrawBitmap(image, new SKRect(x, Header + Gap + r * (cellHeight + Gap), x + images.Width * Zoom, Header + Gap + r * (cellHeight + Gap) + cellHeight));
            }
        }
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static SKBitmap ToBitmap(byte[] pixels, ImageColumn images)
    {
        var bitmap = new SKBitmap(images.Width, images.Height);
        var plane = images.Width * images.Height;
        for (var y = 0; y < images.Height; y++)
            for (var x = 0; x < images.Width; x++)
            {
                var i = y * images.Width + x;
                bitmap.SetPixel(x, y, images.Channels == 3
                    ? new SKColor(pixels[i], pixels[plane + i], pixels[2 * plane + i])
                    : new SKColor(pixels[i], pixels[i], pixels[i]));
            }
        return bitmap;
    }
}
