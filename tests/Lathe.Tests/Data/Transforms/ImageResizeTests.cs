using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;
using static TorchSharp.torch;

namespace Lathe.Tests.Data.Transforms;

public class ImageResizeTests
{
    [Fact]
    public void Fashion_mnist_enlarged_to_32_pixels_matches_bilinear_interpolation_by_hand()
    {
        var table = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read().Gather(Enumerable.Range(0, 20).ToArray());
        var original = (ImageColumn)table["image"];
        var fitted = (FittedImageResize)new ImageResize([32]).Fit(table);
        Assert.Equal([1, 32, 32], fitted.Columns[0].Output);
        var resized = (ImageColumn)fitted.Transform(table)["image"];
        Assert.Equal((20, 1, 32, 32), (resized.Count, resized.Channels, resized.Height, resized.Width));

        // Output (y, x) samples the input at ((y + ½)·28/32 − ½, (x + ½)·28/32 − ½), clamped at 0.
        byte Pixel(int image, int y, int x) => original.Pixels[image * 784 + y * 28 + x];
        foreach (var (image, y, x) in new[] { (0, 10, 13), (0, 20, 5), (3, 16, 16), (11, 31, 31), (19, 0, 0), (5, 0, 17) })
        {
            var sy = Math.Max(0, (y + 0.5) * 28 / 32 - 0.5);
            var sx = Math.Max(0, (x + 0.5) * 28 / 32 - 0.5);
            int y0 = (int)sy, x0 = (int)sx, y1 = Math.Min(y0 + 1, 27), x1 = Math.Min(x0 + 1, 27);
            double wy = sy - y0, wx = sx - x0;
            var value = ((1 - wx) * Pixel(image, y0, x0) + wx * Pixel(image, y0, x1)) * (1 - wy) + ((1 - wx) * Pixel(image, y1, x0) + wx * Pixel(image, y1, x1)) * wy;
            Assert.Equal((byte)Math.Round(value, MidpointRounding.AwayFromZero), resized.Pixels[image * 1024 + y * 32 + x]);
        }
    }

    [Theory]
    [InlineData(32, 32)]
    [InlineData(40, 24)]
    [InlineData(60, 75)]
    public void Resized_rgb_icons_agree_with_pytorch_bilinear_interpolation(int height, int width)
    {
        var table = DataSource.Open(TestData.IconFolder()).Read();
        var original = (ImageColumn)table["image"];
        var resized = (ImageColumn)new ImageResize([height, width]).Fit(table).Transform(table)["image"];
        Assert.Equal((3, height, width), (resized.Channels, resized.Height, resized.Width));

        using var scope = NewDisposeScope();
        var input = tensor(original.Pixels, [3, 3, 100, 100], ScalarType.Byte).to_type(ScalarType.Float64);
        var expected = nn.functional.interpolate(input, [height, width], mode: InterpolationMode.Bilinear, align_corners: false).data<double>().ToArray();
        // Exact where PyTorch's value is clear of a rounding tie; at a tie (206.5 computed as 206.49999999999997 in
        // another order of operations) either neighbour is right.
        for (var i = 0; i < expected.Length; i++)
        {
            var tie = Math.Abs(expected[i] - Math.Floor(expected[i]) - 0.5) < 1e-9;
            if (tie) Assert.InRange(resized.Pixels[i], Math.Floor(expected[i]), Math.Ceiling(expected[i]));
            else Assert.Equal((byte)Math.Round(expected[i], MidpointRounding.AwayFromZero), resized.Pixels[i]);
        }
    }
}
