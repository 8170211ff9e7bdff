using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Sources;
using Lathe.Training;

namespace Lathe.Tests.Training;

public class FashionMnistTests
{
    [Fact]
    public void Small_cnn_learns_fashion_mnist_images_and_its_bundle_predicts_the_same()
    {
        // The 10,000 official test images, split 70/15/15: enough to show learning in seconds.
        var config = new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = TestData.FashionTestImages, Labels = TestData.FashionTestLabels },
            Model = new ModelConfig { Kind = ModelKind.Auto, Channels = [8, 16], Dense = 32 },
            Training = new TrainingConfig { Epochs = 3, BatchSize = 128, Threads = 2 },
        };
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.True(result.Metrics.Test["accuracy"] > 0.75, $"test accuracy {result.Metrics.Test["accuracy"]}");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), result.Metrics.Classes);

        using var predictor = Bundle.Load(result.BundlePath).CreatePredictor();
        var predictions = predictor.Predict(result.TestRows);
        Assert.Equal(result.TestPredictions.Probabilities, predictions.Probabilities);

        // Images without labels predict too: the target column is not needed to predict.
        var unlabelled = DataSource.Open(TestData.FashionTestImages).Read();
        Assert.Equal(10_000, predictor.Predict(unlabelled).Count);
    }
}
