using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Resizes every image to one size by bilinear interpolation (<c>prepare.image.resize</c>), with pixel
/// centres aligned as PyTorch's <c>interpolate(…, align_corners=False)</c> and OpenCV's <c>INTER_LINEAR</c> do:
/// output pixel x samples the input at (x + ½)·in/out − ½, clamped to the image. No anti-aliasing: shrinking
/// to under half the size skips pixels.</summary>
public sealed class ImageResize(IReadOnlyList<int> sides) : IPipelineStep
{
    public IFittedStep Fit(Table train) => new FittedImageResize(train.Columns.OfType<ImageColumn>()
        .Select(image => new ReshapedImage(image.Name, ReshapedImage.ShapeOf(image), [image.Channels, sides[0], sides[^1]])).ToArray());
}

public sealed record FittedImageResize(IReadOnlyList<ReshapedImage> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var steps = FittedColumns.In(table, Columns, c => c.Name, "image resize");
        return table.Replace(column => steps.TryGetValue(column.Name, out var step) ? [Resize(step.Expect(table, "image resize"), step.Output)] : null);
    }

    private static ImageColumn Resize(ImageColumn image, IReadOnlyList<int> output)
    {
        int height = output[1], width = output[2];
        if (height == image.Height && width == image.Width) return image;
        var (rows0, rows1, rowWeights) = Taps(image.Height, height);
        var (cols0, cols1, colWeights) = Taps(image.Width, width);
        var pixels = new byte[image.Count * image.Channels * height * width];
        var planeIn = image.Height * image.Width;
        var planeOut = height * width;
        for (var plane = 0; plane < image.Count * image.Channels; plane++)
        {
            var source = image.Pixels.AsSpan(plane * planeIn, planeIn);
            var target = pixels.AsSpan(plane * planeOut, planeOut);
            for (var y = 0; y < height; y++)
            {
                var above = source.Slice(rows0[y] * image.Width, image.Width);
                var below = source.Slice(rows1[y] * image.Width, image.Width);
                var (wy0, wy1) = (1 - rowWeights[y], rowWeights[y]);
                for (var x = 0; x < width; x++)
                {
                    // In PyTorch's order of operations, so that values on a rounding boundary round the same way.
                    var (wx0, wx1) = (1 - colWeights[x], colWeights[x]);
                    var value = (above[cols0[x]] * wx0 + above[cols1[x]] * wx1) * wy0 + (below[cols0[x]] * wx0 + below[cols1[x]] * wx1) * wy1;
                    target[y * width + x] = (byte)Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), 0, 255);
                }
            }
        }
        return new ImageColumn(image.Name, pixels, image.Channels, height, width, image.Scale, image.Shift);
    }

    /// <summary>For each output position along one axis: the two input positions it lies between and the weight of the second.</summary>
    private static (int[] First, int[] Second, double[] Weight) Taps(int input, int output)
    {
        var (first, second, weight) = (new int[output], new int[output], new double[output]);
        var ratio = (double)input / output;
        for (var i = 0; i < output; i++)
        {
            var at = Math.Max(0, (i + 0.5) * ratio - 0.5);
            first[i] = Math.Min((int)at, input - 1);
            second[i] = Math.Min(first[i] + 1, input - 1);
            weight[i] = at - first[i];
        }
        return (first, second, weight);
    }
}
