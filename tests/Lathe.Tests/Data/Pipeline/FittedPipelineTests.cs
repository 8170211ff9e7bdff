using System.Text.Json.Nodes;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
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

    [Fact]
    public void One_row_at_a_time_transforms_as_the_whole_part_does_and_a_reordered_input_is_refused()
    {
        // The served path: one request's row through every fitted step (piecewise-linear bins, one-hot, the
        // correlated features dropped), many times over, against the validation part transformed at once.
        var (train, validation, schema) = PenguinsParts.Raw();
        var pipeline = FittedPipeline.Fit(train, schema, new PrepareConfig { PiecewiseLinearBins = 32 });
        var dropped = Assert.Single(pipeline.Steps.OfType<Lathe.Data.Features.FittedSelectFeatures>()).Dropped.Select(d => d.Name).ToArray();
        Assert.Contains(dropped, name => name.Contains(".ple", StringComparison.Ordinal));
        Assert.Contains(dropped, name => name.Contains('=', StringComparison.Ordinal));
        var whole = pipeline.Transform(validation);
        var width = pipeline.FeatureNames.Count;
        Assert.Equal([width], whole.ItemShape);
        for (var round = 0; round < 2; round++)
            for (var r = 0; r < validation.RowCount; r++)
            {
                var one = pipeline.Transform(validation.Gather([r]));
                Assert.Equal(whole.Values!.AsSpan(r * width, width).ToArray(), one.Values);
            }

        // Input columns in another order, or a category list other than training's, are not the model's input.
        var input = pipeline.TransformTable(validation.Gather([0, 1]));
        var swapped = input.Columns.ToArray();
        (swapped[0], swapped[1]) = (swapped[1], swapped[0]);
        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Pack(input.With(swapped)));
        Assert.Contains($"not the {pipeline.FeatureNames.Count} the model was fitted with", error.Message);
        var islands = input.Columns.OfType<OneHotColumn>().First();
        Assert.Throws<InvalidOperationException>(() => pipeline.Pack(input.Replace(c => c == islands ? [islands.Without(new HashSet<string> { islands.Categories[0] })] : null)));
        Assert.Throws<InvalidOperationException>(() => pipeline.Pack(input.Without([input.Columns[^1].Name])));
        Assert.Equal(whole.Values!.AsSpan(0, 2 * width).ToArray(), pipeline.Pack(input).Values);
    }

    [Fact]
    public void Target_encoding_trains_on_out_of_fold_rows_and_scores_with_the_encoding_of_all_training_rows()
    {
        // vega's cars with a Brand field (the first word of the name): where a car comes from, by its brand.
        var cars = JsonNode.Parse(File.ReadAllText(TestData.Vega("cars.json")))!.AsArray();
        foreach (var car in cars) car!["Brand"] = car["Name"]!.GetValue<string>().Split(' ')[0];
        var directory = TestData.TempDirectory();
        var file = Path.Combine(directory, "cars-brand.json");
        File.WriteAllText(file, cars.ToJsonString());
        var config = new PipelineConfig
        {
            Target = "Origin",
            Data = new DataConfig { Path = file, Exclude = ["Name"] },
            Prepare = new PrepareConfig { Encode = EncodeKind.Target },
            Model = new ModelConfig { Layers = [32] },
            Training = new TrainingConfig { Epochs = 100, BatchSize = 32, Patience = 20, Threads = 2 },
        };

        var prepared = Preparation.Run(config, directory);
        var encoding = Assert.Single(prepared.Pipeline.Steps.OfType<FittedTargetEncode>());
        Assert.Equal(["p_Europe", "p_Japan", "p_USA"], encoding.Outputs);
        Assert.Equal("Brand", Assert.Single(encoding.Columns).Name);
        // Training rows carry out-of-fold values; the same rows transformed as validation rows would be get the
        // encoding of the whole training part. Every other column is the same either way.
        var inFold = prepared.Pipeline.TransformTable(prepared.Train);
        var outOfFold = prepared.TrainInput;
        Assert.Equal(inFold.ColumnNames, outOfFold.ColumnNames);
        double[] Values(Table table, string name) => ((NumericColumn)table[name]).Values;
        Assert.True(Values(inFold, "Brand.p_USA").Zip(Values(outOfFold, "Brand.p_USA")).Count(p => p.First != p.Second) > prepared.Train.RowCount / 2);
        Assert.Equal(Values(inFold, "Horsepower"), Values(outOfFold, "Horsepower"));

        // lathe prepare writes the training part as training sees it.
        PreparedOutput.Write(prepared, directory);
        var written = DataSource.Open(Path.Combine(directory, "train.parquet")).Read();
        Assert.Equal(Values(outOfFold, "Brand.p_USA").Select(v => (double)(float)v), Values(written, "Brand.p_USA"));
        Assert.Contains("target encoding over", File.ReadAllText(Path.Combine(directory, PreparedOutput.ReportFile)));

        var result = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.True(result.Metrics.Test["accuracy"] > 0.85, $"accuracy {result.Metrics.Test["accuracy"]}");
        using var predictor = Bundle.Load(result.BundlePath).CreatePredictor();
        Assert.Equal(result.TestPredictions.Probabilities, predictor.Predict(result.TestRows).Probabilities);
    }
}
