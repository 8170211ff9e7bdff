using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Training;
using SkiaSharp;

namespace Lathe.Tests.Data.Sources;

public class ImagePathColumnTests
{
    /// <summary>Real Fashion-MNIST images as PNG files in one folder, and a CSV listing each file with its label.</summary>
    private static (string Csv, ImageColumn Images) ImageTable(int count, int brokenEvery = 0)
    {
        var table = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read();
        var images = (ImageColumn)table["image"];
        var labels = ((NumericColumn)table["label"]).Values;
        var folder = TestData.TempDirectory();
        Directory.CreateDirectory(Path.Combine(folder, "pictures"));
        var lines = new List<string> { "file,kind" };
        for (var i = 0; i < count; i++)
        {
            var name = $"pictures/{i:D5}.png";
            using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Gray8));
            images.Pixels.AsSpan(i * 784, 784).CopyTo(bitmap.GetPixelSpan());
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, name), png.ToArray());
            if (brokenEvery > 0 && i % brokenEvery == brokenEvery - 1) name = $"pictures/missing-{i}.png";
            lines.Add($"{name},{labels[i]}");
        }
        var csv = Path.Combine(folder, "images.csv");
        File.WriteAllLines(csv, lines);
        return (csv, images);
    }

    [Fact]
    public void A_column_of_image_paths_loads_the_images_relative_to_the_table()
    {
        var (csv, images) = ImageTable(40);
        var table = DataSource.Open(csv).Read();
        var schema = SchemaInference.Infer(table, "kind");
        var file = schema.Find("file")!;
        Assert.Equal(ColumnType.Image, file.Type);
        Assert.Equal([1, 28, 28], file.ImageShape);
        var typed = Lathe.Data.Cleaning.TypeCoercion.Apply(table, schema);
        Assert.Equal(images.Pixels[..(40 * 784)], ((ImageColumn)typed["file"]).Pixels);
    }

    [Fact]
    public void Unreadable_images_are_quarantined_in_training_and_named_at_prediction()
    {
        var (csv, _) = ImageTable(1200, brokenEvery: 200);
        var config = new PipelineConfig
        {
            Target = "kind",
            Data = new DataConfig { Path = csv, QuarantineLimit = 0.01 },
            Model = new ModelConfig { Channels = [8], Dense = 16 },
            Training = new TrainingConfig { Epochs = 3, BatchSize = 64, Threads = 2 },
        };
        var directory = TestData.TempDirectory();
        var run = TrainingRun.Run(config, directory);
        Assert.Equal(6, run.Metrics.Rows.Quarantined);
        Assert.Contains("image 'pictures/missing-199.png' cannot be read", File.ReadAllText(Path.Combine(directory, "quarantine.csv")));
        Assert.True(run.Metrics.Test["accuracy"] > 0.4, $"accuracy {run.Metrics.Test["accuracy"]}");

        using var predictor = Bundle.Load(run.BundlePath).CreatePredictor();
        var error = Assert.Throws<DataException>(() => predictor.Predict(DataSource.Open(csv).Read()));
        Assert.Contains("image 'pictures/missing-199.png' cannot be read — check that the file exists", error.Message);
    }
}
