using System.Globalization;
using Lathe.Config;
using Lathe.Data.Pipeline;
using SkiaSharp;
using static TorchSharp.torch;

namespace Lathe.Data.Augmentation;

/// <summary>A picture of what preparation and augmentation do, before any training: a grid with one real
/// image per row, and as columns the image as loaded and after <c>prepare.image</c> (when set), then each
/// augmentation alone (at probability 1) and all of them together, on the prepared image as training sees it.</summary>
public static class AugmentationPreview
{
    private const int Gap = 6, Header = 22;

    /// <summary>The first <paramref name="count"/> images of <paramref name="table"/>'s image column named
    /// <paramref name="column"/> (or its first one): the table's own images (an image folder, IDX), or loaded from a column
    /// of image paths as training loads them. Refused, naming the image columns there are, when there is none or the name
    /// is not one of them.</summary>
    public static ImageColumn ImagesOf(Table table, string target, IReadOnlyCollection<string> exclude, int count, string? column = null)
    {
        var rows = Enumerable.Range(0, Math.Min(count, table.RowCount)).ToArray();
        var own = table.Columns.OfType<ImageColumn>().ToArray();
        var specs = own.Length > 0 ? [] : Schema.SchemaInference.Infer(table, target, exclude).Features.Where(c => c.Type == Schema.ColumnType.Image).ToArray();
        var names = own.Length > 0 ? own.Select(i => i.Name).ToArray() : specs.Select(s => s.Name).ToArray();
        if (names.Length == 0)
            throw new LatheException($"{table.Source} has no image column; augmentation previews are for images (tables use augment.table_noise)");
        var name = column ?? names[0];
        if (!names.Contains(name))
            throw new LatheException($"--column {column}: not an image column of {table.Source} (its image columns: {string.Join(", ", names)})");
        if (own.Length > 0) return (ImageColumn)table[name].Gather(rows);
        var picked = table.Gather(rows);
        var spec = specs.Single(s => s.Name == name);
        return (ImageColumn)Cleaning.TypeCoercion.Apply(picked.With([picked[name]]), new Schema.DataSchema([spec]))[name];
    }

    /// <summary>PNG bytes of the grid for the first <paramref name="count"/> images.</summary>
    public static byte[] Render(ImageColumn images, AugmentConfig config, int count = 6, int seed = 0, ImageConfig? prepare = null)
    {
        prepare ??= new ImageConfig();
        var steps = Transforms(config);
        if (steps.Count == 0 && !prepare.IsSet) throw new LatheException("no image augmentation is turned on — set a probability above 0 under augment: (flip, rotate, crop, shift, brightness, contrast, noise, cutout), or crop, grayscale or resize under prepare.image");
        count = Math.Min(count, images.Count);
        var loaded = (ImageColumn)images.Gather(Enumerable.Range(0, count).ToArray());
        var prepared = Prepare(loaded, prepare);
        var columns = new List<(string Title, ImageColumn Images)>();
        if (prepare.IsSet) columns.Add(("loaded", loaded));
        columns.Add((prepare.IsSet ? Describe(prepare) : "original", prepared));
        if (steps.Count > 0) steps.Add(("all together", config with { Flip = Sure(config.Flip), Rotate = Sure(config.Rotate), Crop = Sure(config.Crop), Shift = Sure(config.Shift), Brightness = Sure(config.Brightness), Contrast = Sure(config.Contrast), Noise = Sure(config.Noise), Cutout = Sure(config.Cutout) }));
        using (var scope = NewDisposeScope())
        {
            var batch = tensor(prepared.Pixels, [count, prepared.Channels, prepared.Height, prepared.Width], ScalarType.Byte).to_type(ScalarType.Float32).div(255);
            foreach (var (title, step) in steps)
            {
                using var generator = new Generator((ulong)seed);
                var result = new ImageAugmentation(step).Apply(batch, generator).mul(255).round().to_type(ScalarType.Byte).contiguous();
                columns.Add((title, new ImageColumn(prepared.Name, result.bytes.ToArray(), prepared.Channels, prepared.Height, prepared.Width)));
            }
        }
        return Draw(columns, count);
    }

    /// <summary>The images after the <c>prepare.image</c> steps (which learn only shapes, so fitting them on the shown images is exact).</summary>
    private static ImageColumn Prepare(ImageColumn images, ImageConfig prepare)
    {
        var table = new Table([images], "preview");
        foreach (var step in FittedPipeline.ImageSteps(prepare)) table = step.Fit(table).Transform(table);
        return (ImageColumn)table[images.Name];
    }

    /// <summary>The prepare.image steps in a few words: "crop 80%, gray, resize 48×48".</summary>
    private static string Describe(ImageConfig prepare)
    {
        static string Side(double side) => side <= 1 ? $"{side * 100:0.#}%" : side.ToString(CultureInfo.InvariantCulture);
        static string Sides(IReadOnlyList<double> sides) => sides.Count == 1 && sides[0] <= 1 ? Side(sides[0]) : $"{Side(sides[0])}×{Side(sides[^1])}";
        var parts = new List<string>();
        if (prepare.Crop.Count > 0) parts.Add($"crop {Sides(prepare.Crop)}");
        if (prepare.Grayscale) parts.Add("gray");
        if (prepare.Resize.Count > 0) parts.Add($"resize {Sides(prepare.Resize.Select(s => (double)s).ToArray())}");
        return string.Join(", ", parts);
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

    private static byte[] Draw(List<(string Title, ImageColumn Images)> columns, int count)
    {
        // Small images are magnified (28 pixels three times); every column's images sit centred in equal cells.
        using var font = new SKFont(SKTypeface.Default, 12);
        var zoom = Math.Max(1, 96 / columns.Max(c => Math.Max(c.Images.Height, c.Images.Width)));
        // Each column as wide as its images or its title, at least 112 pixels.
        var cells = columns.Select(c => Math.Max(c.Images.Width * zoom, Math.Max(112, (int)Math.Ceiling(font.MeasureText(c.Title)) + 8))).ToArray();
        var cellHeight = columns.Max(c => c.Images.Height) * zoom;
        var width = cells.Sum(cell => cell + Gap) + Gap;
        var height = Header + count * (cellHeight + Gap) + Gap;
        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = new SKColor(0x1d, 0x24, 0x30), IsAntialias = true };
        var left = Gap;
        for (var c = 0; c < columns.Count; c++)
        {
            var (title, images) = columns[c];
            canvas.DrawText(title, left + cells[c] / 2f, Header - 7, SKTextAlign.Center, font, ink);
            for (var r = 0; r < count; r++)
            {
                using var image = ToBitmap(images, r);
                var x = left + (cells[c] - images.Width * zoom) / 2;
                var y = Header + Gap + r * (cellHeight + Gap) + (cellHeight - images.Height * zoom) / 2;
                canvas.DrawBitmap(image, new SKRect(x, y, x + images.Width * zoom, y + images.Height * zoom));
            }
            left += cells[c] + Gap;
        }
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static SKBitmap ToBitmap(ImageColumn images, int row)
    {
        var pixels = images.Pixels.AsSpan(row * images.PixelsPerImage, images.PixelsPerImage);
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
