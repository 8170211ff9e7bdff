using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Keeps the central part of every image (<c>prepare.image.crop</c>): a size in pixels, or a fraction
/// of each side. When the margin is odd, the extra pixel is cut from the bottom or right.</summary>
public sealed class ImageCrop(IReadOnlyList<double> sides) : IPipelineStep
{
    public IFittedStep Fit(Table train) => new FittedImageCrop(train.Columns.OfType<ImageColumn>().Select(image =>
    {
        var (height, width) = (Side(sides[0], image.Height), Side(sides[^1], image.Width));
        if (height > image.Height || width > image.Width)
            throw new DataException($"{train.Source}: prepare.image.crop asks for {height}×{width} pixels, but the images in '{image.Name}' are {image.Height}×{image.Width} — crop to at most their size, or give a fraction such as 0.875");
        return new ReshapedImage(image.Name, ReshapedImage.ShapeOf(image), [image.Channels, height, width]);
    }).ToArray());

    /// <summary>A fraction (up to 1) of the side, rounded, or a size in pixels.</summary>
    private static int Side(double side, int size) => side <= 1 ? Math.Max(1, (int)Math.Round(side * size, MidpointRounding.AwayFromZero)) : (int)side;
}

public sealed record FittedImageCrop(IReadOnlyList<ReshapedImage> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var crops = FittedColumns.In(table, Columns, c => c.Name, "image crop");
        return table.Replace(column => crops.TryGetValue(column.Name, out var crop) ? [Crop(crop.Expect(table, "image crop"), crop.Output)] : null);
    }

    private static ImageColumn Crop(ImageColumn image, IReadOnlyList<int> output)
    {
        int channels = image.Channels, height = output[1], width = output[2];
        int top = (image.Height - height) / 2, left = (image.Width - width) / 2;
        var pixels = new byte[image.Count * channels * height * width];
        var source = image.Pixels.AsSpan();
        var target = pixels.AsSpan();
        var planeIn = image.Height * image.Width;
        var planeOut = height * width;
        for (var plane = 0; plane < image.Count * channels; plane++)
            for (var y = 0; y < height; y++)
                source.Slice(plane * planeIn + (top + y) * image.Width + left, width).CopyTo(target.Slice(plane * planeOut + y * width, width));
        return new ImageColumn(image.Name, pixels, channels, height, width, image.Scale, image.Shift);
    }
}
