using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Training;

namespace Lathe.Tests.Data.Sources;

public class ImagePathColumnTests
{
    [Fact]
    public void A_column_of_image_paths_loads_the_images_relative_to_the_table()
    {
        var (csv, images) = TestData.FashionImageTable(40);
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
        var (csv, _) = TestData.FashionImageTable(1200, brokenEvery: 200);
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
