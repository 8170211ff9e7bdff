using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class ImageNormalizeTests
{
    [Fact]
    public void Normalised_fashion_mnist_pixels_have_mean_zero_and_unit_deviation_while_staying_uint8()
    {
        var table = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read();
        var fitted = (FittedImageNormalize)new ImageNormalize().Fit(table);
        var stats = Assert.Single(fitted.Columns);
        Assert.InRange(stats.Mean, 0.25, 0.32);
        Assert.InRange(stats.Std, 0.3, 0.4);

        var images = (ImageColumn)fitted.Transform(table)["image"];
        Assert.Same(((ImageColumn)table["image"]).Pixels, images.Pixels);
        double sum = 0, squares = 0;
        foreach (var p in images.Pixels)
        {
            var v = p * images.Scale + images.Shift;
            sum += v;
            squares += v * v;
        }
        var mean = sum / images.Pixels.Length;
        Assert.Equal(0, mean, 1e-4);
        Assert.Equal(1, Math.Sqrt(squares / images.Pixels.Length - mean * mean), 1e-4);
    }
}
