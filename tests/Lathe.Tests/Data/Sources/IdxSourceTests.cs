using System.IO.Compression;
using Lathe.Data;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Sources;

public class IdxSourceTests
{
    [Fact]
    public void Reads_fashion_mnist_images_and_labels()
    {
        var table = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read();
        var images = Assert.IsType<ImageColumn>(table["image"]);
        Assert.Equal(10_000, images.Count);
        Assert.Equal((1, 28, 28), (images.Channels, images.Height, images.Width));
        var labels = ((NumericColumn)table["label"]).Values;
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (double)i), labels.Distinct().Order());
        // Every class has 1,000 test images in Fashion-MNIST.
        Assert.All(labels.GroupBy(l => l), g => Assert.Equal(1000, g.Count()));
        Assert.InRange(images.Pixels.Average(p => (double)p), 60, 80);
    }

    [Fact]
    public void A_truncated_file_is_an_error_not_a_short_read()
    {
        var file = Path.Combine(TestData.TempDirectory(), "short-idx3-ubyte.gz");
        using (var source = new GZipStream(File.OpenRead(TestData.FashionTestImages), CompressionMode.Decompress))
        using (var target = new GZipStream(File.Create(file), CompressionLevel.Fastest))
        {
            var head = new byte[16 + 784 * 3];
            source.ReadExactly(head);
            target.Write(head);
        }
        var error = Assert.Throws<DataException>(() => DataSource.Open(file, Lathe.Config.DataFormat.Idx).Read());
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Images_and_labels_must_pair_up()
    {
        var error = Assert.Throws<DataException>(() => DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTrainLabels).Read());
        Assert.Contains("has 60000 labels but t10k-images-idx3-ubyte.gz has 10000 images", error.Message);
    }
}
