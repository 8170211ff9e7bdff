using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class ImageCropTests
{
    [Fact]
    public void A_crop_in_pixels_keeps_the_central_pixels_of_fashion_mnist()
    {
        var table = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read().Gather(Enumerable.Range(0, 50).ToArray());
        var original = (ImageColumn)table["image"];
        var fitted = (FittedImageCrop)new ImageCrop([24]).Fit(table);
        var crop = Assert.Single(fitted.Columns);
        Assert.Equal([1, 28, 28], crop.Input);
        Assert.Equal([1, 24, 24], crop.Output);

        var cropped = (ImageColumn)fitted.Transform(table)["image"];
        Assert.Equal((50, 1, 24, 24), (cropped.Count, cropped.Channels, cropped.Height, cropped.Width));
        // A 4-pixel margin on each axis: 2 off the top and left, 2 off the bottom and right.
        foreach (var (image, y, x) in new[] { (0, 0, 0), (0, 12, 12), (7, 23, 23), (49, 5, 19) })
            Assert.Equal(original.Pixels[image * 784 + (y + 2) * 28 + x + 2], cropped.Pixels[image * 576 + y * 24 + x]);
        // The first image is an ankle boot whose sole reaches row 23 of 28; its middle row is kept whole.
        Assert.Equal(original.Pixels.AsSpan(14 * 28 + 2, 24).ToArray(), cropped.Pixels.AsSpan(12 * 24, 24).ToArray());
    }

    [Fact]
    public void A_fractional_crop_of_rgb_icons_keeps_each_channel_aligned()
    {
        var table = DataSource.Open(TestData.IconFolder()).Read();
        var original = (ImageColumn)table["image"];
        Assert.Equal((3, 100, 100), (original.Channels, original.Height, original.Width));
        var cropped = (ImageColumn)new ImageCrop([0.5, 0.8]).Fit(table).Transform(table)["image"];
        Assert.Equal((3, 50, 80), (cropped.Channels, cropped.Height, cropped.Width));
        // Rows 25–74 and columns 10–89 of every channel.
        for (var image = 0; image < 3; image++)
            for (var channel = 0; channel < 3; channel++)
                foreach (var (y, x) in new[] { (0, 0), (25, 40), (49, 79) })
                    Assert.Equal(original.Pixels[((image * 3 + channel) * 100 + y + 25) * 100 + x + 10], cropped.Pixels[((image * 3 + channel) * 50 + y) * 80 + x]);
    }

    [Fact]
    public void A_crop_larger_than_the_images_is_refused_when_fitting()
    {
        var table = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read().Gather([0, 1]);
        var error = Assert.Throws<DataException>(() => new ImageCrop([32]).Fit(table));
        Assert.Contains("prepare.image.crop asks for 32×32 pixels, but the images in 'image' are 28×28", error.Message);
    }

    [Fact]
    public void Images_of_another_shape_are_refused_with_both_shapes_named()
    {
        var fashion = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read().Gather([0, 1]);
        var fitted = new ImageCrop([24]).Fit(fashion);
        var icons = DataSource.Open(TestData.IconFolder()).Read();
        var error = Assert.Throws<DataException>(() => fitted.Transform(icons));
        Assert.Contains("column 'image' holds images of 3×100×100 (channels×height×width), but the fitted image crop step expects 1×28×28 (channels×height×width)", error.Message);
    }
}
