using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;
using Lathe.Training;

namespace Lathe.Tests.Data.Pipeline;

public class FittedPipelineTests
{
    [Fact]
    public void Image_steps_shape_the_model_input_and_apply_alike_at_prediction_which_refuses_other_shapes()
    {
        var (images, labels) = TestData.FashionSubset(1500);
        var config = new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = images, Labels = labels },
            Prepare = new PrepareConfig { Image = new ImageConfig { Crop = [24], Grayscale = true, Resize = [32] } },
            Model = new ModelConfig { Channels = [8, 16], Dense = 32 },
            Training = new TrainingConfig { Epochs = 3, BatchSize = 64, Threads = 2 },
        };
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.True(result.Metrics.Test["accuracy"] > 0.5, $"accuracy {result.Metrics.Test["accuracy"]}");

        var bundle = Bundle.Load(result.BundlePath);
        static string Shapes(string step, ReshapedImage image) => $"{step} {string.Join("x", image.Input)} -> {string.Join("x", image.Output)}";
        var shapes = bundle.Pipeline.Steps.SelectMany(step => step switch
        {
            FittedImageCrop c => c.Columns.Select(i => Shapes("crop", i)),
            FittedImageGrayscale g => g.Columns.Select(i => Shapes("grayscale", i)),
            FittedImageResize r => r.Columns.Select(i => Shapes("resize", i)),
            _ => [],
        });
        Assert.Equal(["crop 1x28x28 -> 1x24x24", "grayscale 1x24x24 -> 1x24x24", "resize 1x24x24 -> 1x32x32"], shapes);
        Assert.Equal([1L, 32, 32], bundle.Pipeline.Transform(result.TestRows).ItemShape);

        // The loaded bundle crops and resizes raw test images exactly as training did.
        using var predictor = bundle.CreatePredictor();
        Assert.Equal(result.TestPredictions.Probabilities, predictor.Predict(result.TestRows).Probabilities);

        var icons = DataSource.Open(TestData.IconFolder()).Read();
        var error = Assert.Throws<DataException>(() => predictor.Predict(icons));
        Assert.Contains("column 'image' holds images of 3×100×100 (channels×height×width), but the fitted image crop step expects 1×28×28", error.Message);
    }
}
