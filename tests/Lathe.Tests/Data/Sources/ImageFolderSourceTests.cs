using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Training;
using SkiaSharp;

namespace Lathe.Tests.Data.Sources;

public class ImageFolderSourceTests
{
    private static readonly string[] ClassNames = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"];

    /// <summary>Real Fashion-MNIST test images written as PNG files, one sub-folder per class.</summary>
    private static (string Folder, ImageColumn Images, double[] Labels) Folder(int count, int scale = 1)
    {
        var table = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read();
        var images = (ImageColumn)table["image"];
        var labels = ((NumericColumn)table["label"]).Values;
        var folder = TestData.TempDirectory();
        for (var i = 0; i < count; i++)
        {
            var directory = Directory.CreateDirectory(Path.Combine(folder, ClassNames[(int)labels[i]])).FullName;
            using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Gray8));
            images.Pixels.AsSpan(i * 784, 784).CopyTo(bitmap.GetPixelSpan());
            using var sized = scale == 1 ? bitmap.Copy() : bitmap.Resize(new SKImageInfo(28 * scale, 28 * scale, SKColorType.Gray8), SKSamplingOptions.Default);
            using var png = sized.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(directory, $"{i:D5}.png"), png.ToArray());
        }
        return (folder, images, labels);
    }

    [Fact]
    public void A_folder_of_pngs_reads_back_the_same_pixels_with_folder_names_as_labels()
    {
        var (folder, images, labels) = Folder(200);
        File.WriteAllText(Path.Combine(folder, "bag", "broken.png"), "not an image");
        var table = DataSource.Open(folder).Read();
        Assert.Equal(["image", "label", "path"], table.ColumnNames);
        Assert.Equal(200, table.RowCount);
        var read = (ImageColumn)table["image"];
        Assert.Equal((1, 28, 28), (read.Channels, read.Height, read.Width));
        // Rows come folder by folder; find image 0 by its path and compare its pixels.
        var paths = ((StringColumn)table["path"]).Values;
        var row = Array.IndexOf(paths, Path.Combine(ClassNames[(int)labels[0]], "00000.png"));
        Assert.Equal(images.Pixels[..784], read.Pixels[(row * 784)..((row + 1) * 784)]);
        Assert.Equal(ClassNames[(int)labels[0]], ((StringColumn)table["label"]).Values[row]);
        var bad = Assert.Single(table.Quarantined);
        Assert.Equal(("not a decodable image", Path.Combine("bag", "broken.png")), (bad.Reason, bad.Raw));
    }

    [Fact]
    public void Images_are_resized_to_the_size_asked_for()
    {
        var (folder, _, _) = Folder(30, scale: 2);
        var table = new ImageFolderSource(folder, [28, 28]).Read();
        var images = (ImageColumn)table["image"];
        Assert.Equal((28, 28), (images.Height, images.Width));
        // Without a size, every image keeps the most common one: here all are 56x56.
        var unsized = (ImageColumn)DataSource.Open(folder).Read()["image"];
        Assert.Equal((56, 56), (unsized.Height, unsized.Width));
    }

    [Fact]
    public void A_cnn_trains_on_an_image_folder_and_a_folder_without_classes_is_a_clear_error()
    {
        var (folder, _, _) = Folder(1500);
        var config = new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = folder },
            Model = new ModelConfig { Channels = [8, 16], Dense = 32 },
            Training = new TrainingConfig { Epochs = 4, BatchSize = 64, Threads = 2 },
        };
        var metrics = TrainingRun.Run(config, TestData.TempDirectory()).Metrics;
        Assert.Equal(ClassNames.Order(StringComparer.Ordinal), metrics.Classes);
        Assert.True(metrics.Test["accuracy"] > 0.5, $"accuracy {metrics.Test["accuracy"]}");
        Assert.Equal("text beside an image column: not used as a feature", metrics.Columns.Single(c => c.Name == "path").Unused);

        var empty = TestData.TempDirectory();
        Assert.Contains("expected one sub-folder per class", Assert.Throws<DataException>(() => DataSource.Open(empty).Read()).Message);
    }
}
