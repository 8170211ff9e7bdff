using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class ImageGrayscaleTests
{
    /// <summary>BT.601 luma in exact decimal arithmetic, rounded half up: the hand computation.</summary>
    private static byte Luma(byte red, byte green, byte blue) => (byte)Math.Round(0.299m * red + 0.587m * green + 0.114m * blue, MidpointRounding.AwayFromZero);

    [Fact]
    public void Rgb_icons_become_one_channel_of_bt601_luma()
    {
        var table = DataSource.Open(TestData.IconFolder()).Read();
        var rgb = (ImageColumn)table["image"];
        var fitted = (FittedImageGrayscale)new ImageGrayscale().Fit(table);
        Assert.Equal([3, 100, 100], fitted.Columns[0].Input);
        Assert.Equal([1, 100, 100], fitted.Columns[0].Output);
        var gray = (ImageColumn)fitted.Transform(table)["image"];
        Assert.Equal((3, 1, 100, 100), (gray.Count, gray.Channels, gray.Height, gray.Width));

        const int plane = 100 * 100;
        byte Channel(int image, int channel, int p) => rgb.Pixels[(image * 3 + channel) * plane + p];
        var coloured = 0;
        for (var image = 0; image < 3; image++)
            for (var p = 0; p < plane; p += 97)
            {
                var (r, g, b) = (Channel(image, 0, p), Channel(image, 1, p), Channel(image, 2, p));
                Assert.Equal(Luma(r, g, b), gray.Pixels[image * plane + p]);
                if (r != g || g != b) coloured++;
            }
        Assert.True(coloured > 100, $"only {coloured} sampled pixels have colour");
    }

    [Fact]
    public void Gray_images_pass_unchanged()
    {
        var table = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read().Gather([0, 1, 2]);
        var fitted = new ImageGrayscale().Fit(table);
        Assert.Same(((ImageColumn)table["image"]).Pixels, ((ImageColumn)fitted.Transform(table)["image"]).Pixels);
    }
}
