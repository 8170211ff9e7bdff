using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Turns RGB images into one channel of luma with the ITU-R BT.601 weights, on the uint8 pixels:
/// Y = 0.299 R + 0.587 G + 0.114 B, rounded half up (<c>prepare.image.grayscale</c>). Images that already
/// have one channel pass unchanged.</summary>
public sealed class ImageGrayscale : IPipelineStep
{
    public IFittedStep Fit(Table train) => new FittedImageGrayscale(train.Columns.OfType<ImageColumn>().Select(image =>
        image.Channels is 1 or 3
            ? new ReshapedImage(image.Name, ReshapedImage.ShapeOf(image), [1, image.Height, image.Width])
            : throw new DataException($"{train.Source}: prepare.image.grayscale needs RGB or gray images, but '{image.Name}' has {image.Channels} channels")).ToArray());
}

public sealed record FittedImageGrayscale(IReadOnlyList<ReshapedImage> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var steps = FittedColumns.In(table, Columns, c => c.Name, "image grayscale");
        return table.Replace(column => steps.TryGetValue(column.Name, out var step) ? [Gray(step.Expect(table, "image grayscale"))] : null);
    }

    private static ImageColumn Gray(ImageColumn image)
    {
        if (image.Channels == 1) return image;
        var plane = image.Height * image.Width;
        var pixels = new byte[image.Count * plane];
        var source = image.Pixels.AsSpan();
        for (var i = 0; i < image.Count; i++)
        {
            var red = source.Slice(i * 3 * plane, plane);
            var green = source.Slice((i * 3 + 1) * plane, plane);
            var blue = source.Slice((i * 3 + 2) * plane, plane);
            var gray = pixels.AsSpan(i * plane, plane);
            // In integers, so the rounding is exact: (299 R + 587 G + 114 B) / 1000, half up.
            for (var p = 0; p < plane; p++) gray[p] = (byte)((299 * red[p] + 587 * green[p] + 114 * blue[p] + 500) / 1000);
        }
        return new ImageColumn(image.Name, pixels, 1, image.Height, image.Width, image.Scale, image.Shift);
    }
}
