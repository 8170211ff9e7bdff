using System.IO.Compression;
using System.Text.Json.Nodes;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Training;

namespace Lathe.Tests.Training;

[Collection(PenguinsCollection.Name)]
public class TrainingRunTests(PenguinsRun run)
{
    [Fact]
    public void Penguins_reach_97_percent_test_accuracy()
    {
        var metrics = run.Result.Metrics;
        Assert.Equal(TaskKind.Classification, metrics.Task);
        Assert.True(metrics.Test["accuracy"] >= 0.97, $"test accuracy {metrics.Test["accuracy"]}");
        Assert.True(metrics.Test["macro_f1"] >= 0.95);
        Assert.Equal(344, metrics.Rows.Train + metrics.Rows.Validation + metrics.Rows.Test);
    }

    [Fact]
    public void Run_writes_bundle_metrics_and_resolved_config()
    {
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Directory, "metrics.json")))!;
        Assert.Equal("classification", metrics["task"]!.GetValue<string>());
        Assert.Equal("accuracy", metrics["metric"]!.GetValue<string>());
        foreach (var part in new[] { "validation", "test" })
        {
            Assert.InRange(metrics[part]!["accuracy"]!.GetValue<double>(), 0, 1);
            Assert.InRange(metrics[part]!["macro_f1"]!.GetValue<double>(), 0, 1);
        }
        Assert.True(metrics["train_seconds"]!.GetValue<double>() > 0);
        Assert.True(metrics["epochs"]!.GetValue<int>() >= 1);
        Assert.Equal(metrics["epochs"]!.GetValue<int>(), metrics["history"]!.AsArray().Count);
        // The kernels MKL chose in this process (MklDispatchTests checks the choice itself), beside the seed and threads.
        Assert.Equal(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(Lathe.Engine.TorchRuntime.Mkl.ToString()), metrics["mkl"]!.GetValue<string>());

        var resolved = ConfigReader.Load(Path.Combine(run.Directory, "config.resolved.yaml"));
        Assert.Equal(TaskKind.Classification, resolved.Task);
        Assert.Equal(MetricKind.Accuracy, resolved.Metric);
        Assert.Equal(2, resolved.Training.Threads);
        Assert.True(File.Exists(run.Result.BundlePath));
    }

    [Fact]
    public void Among_epochs_at_the_best_accuracy_the_lowest_validation_loss_is_kept_and_resume_knows_it()
    {
        // Split seed 4 puts penguins into 52 validation rows that the model classifies without a mistake from epoch 7:
        // the loss falls from 0.34 to 0.013 after it, and that first epoch was kept (docs/benchmarks.md, "Five splits").
        var config = TestData.Penguins() with { Data = new DataConfig { Path = TestData.Vega("penguins.json"), Split = new SplitConfig { Seed = 4 } } };
        var directory = TestData.TempDirectory();
        var metrics = TrainingRun.Run(config, directory).Metrics;
        var history = metrics.History;
        var best = history.Single(e => e.Epoch == metrics.BestEpoch);
        var top = history.Where(e => e.ValidationMetric == history.Max(h => h.ValidationMetric)).ToArray();
        var trace = string.Join("; ", history.Select(e => $"{e.Epoch}: {e.ValidationMetric:0.0000} {e.ValidationLoss:0.0000}"));
        Assert.True(top.Length > 1 && top[0].Epoch != best.Epoch, $"the tie-break is not exercised: {trace}");
        Assert.Equal(top.Min(e => e.ValidationLoss), best.ValidationLoss);
        Assert.True(metrics.Test["accuracy"] >= 0.98, $"test accuracy {metrics.Test["accuracy"]}; {trace}");

        // A resumed run breaks the next tie against the same loss: the checkpoint gives it back from the history.
        var (checkpoint, _) = Checkpoint.Latest(directory);
        using var stopping = new EarlyStopping(MetricKind.Accuracy, 20);
        checkpoint.Restore(stopping);
        Assert.Equal((best.Epoch, best.ValidationMetric, best.ValidationLoss), (stopping.BestEpoch, stopping.BestValue, stopping.BestLoss));
    }

    [Fact]
    public void Same_seed_and_data_give_bit_identical_weights_and_another_seed_does_not()
    {
        var first = Bundle.Load(run.Result.BundlePath).Weights;
        var again = Bundle.Load(TrainingRun.Run(TestData.Penguins(), TestData.TempDirectory()).BundlePath).Weights;
        var other = Bundle.Load(TrainingRun.Run(TestData.Penguins(seed: 7), TestData.TempDirectory()).BundlePath).Weights;
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Theory]
    [InlineData(EncodeKind.OneHot)]
    [InlineData(EncodeKind.Target)]
    public void Changing_validation_and_test_rows_changes_no_fitted_statistic(EncodeKind encode)
    {
        // The same rows and labels, so the same split; features of the validation and test rows altered,
        // each row kept unique so that duplicate handling cannot change which rows there are.
        var table = JsonNode.Parse(File.ReadAllText(TestData.Vega("penguins.json")))!.AsArray();
        var heldOut = HeldOutRows();
        foreach (var row in heldOut)
        {
            var record = table[row]!.AsObject();
            record["Body Mass (g)"] = 100_000 + row;
            record["Beak Length (mm)"] = null;
            record["Island"] = "Nowhere";
        }
        var file = Path.Combine(TestData.TempDirectory(), "penguins-altered.json");
        File.WriteAllText(file, table.ToJsonString());
        var config = TestData.Penguins() with { Prepare = new PrepareConfig { Encode = encode } };
        var original = encode == EncodeKind.OneHot ? run.Result : TrainingRun.Run(config, TestData.TempDirectory());
        var altered = TrainingRun.Run(config with { Data = new DataConfig { Path = file } }, TestData.TempDirectory());

        Assert.Equal(FittedOnTraining(original.BundlePath), FittedOnTraining(altered.BundlePath));
        Assert.NotEqual(original.Metrics.Test["log_loss"], altered.Metrics.Test["log_loss"]);
        // The training rows' own values (out of fold, for target encoding) owe nothing to the other parts either.
        Assert.Equal(Features(config), Features(config with { Data = new DataConfig { Path = file } }));
    }

    [Fact]
    public void An_mlp_trains_on_images_reading_each_as_a_row_of_pixels_and_its_bundle_predicts_the_same()
    {
        var (images, labels) = TestData.FashionSubset(1200);
        var config = new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = images, Labels = labels },
            Model = new ModelConfig { Kind = ModelKind.Mlp, Layers = [64] },
            Training = new TrainingConfig { Epochs = 3, BatchSize = 64, Threads = 2 },
        };
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        var bundle = Lathe.Bundles.Bundle.Load(result.BundlePath);
        Assert.Equal(ModelKind.Mlp, bundle.Model.Kind);
        Assert.Equal([1L, 28, 28], bundle.Model.InputShape);
        // Ten classes: chance is 0.1; three epochs on 840 images reach far past it.
        Assert.True(result.Metrics.Test["accuracy"] > 0.6, $"test accuracy {result.Metrics.Test["accuracy"]}");
        using var predictor = bundle.CreatePredictor();
        Assert.Equal(result.TestPredictions.Probabilities, predictor.Predict(result.TestRows).Probabilities);
    }

    [Fact]
    public void Changing_validation_and_test_images_changes_no_fitted_statistic()
    {
        var (images, labels) = TestData.FashionSubset(1200);
        var table = Lathe.Data.Sources.DataSource.Open(images, labels: labels).Read();
        var classes = Lathe.Data.Pipeline.FittedTarget.Fit(table["label"], TaskKind.Classification, []).EncodeClasses(table);
        var parts = Lathe.Data.Splitting.HoldoutSplit.Split(table.RowCount, new SplitConfig(), 42, classes);
        var heldOut = new HashSet<int>([.. parts.Validation, .. parts.Test]);
        var (invertedImages, invertedLabels) = TestData.FashionSubset(1200, (row, pixels) =>
        {
            if (!heldOut.Contains(row)) return;
            for (var p = 0; p < pixels.Length; p++) pixels[p] = (byte)(255 - pixels[p]);
        });
        var config = new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = images, Labels = labels },
            Prepare = new PrepareConfig { Image = new ImageConfig { Crop = [0.9], Grayscale = true, Resize = [20] } },
            Model = new ModelConfig { Channels = [4], Dense = 16 },
            Training = new TrainingConfig { Epochs = 1, BatchSize = 64, Threads = 2 },
        };
        var original = TrainingRun.Run(config, TestData.TempDirectory());
        var altered = TrainingRun.Run(config with { Data = new DataConfig { Path = invertedImages, Labels = invertedLabels } }, TestData.TempDirectory());
        Assert.Equal(FittedOnTraining(original.BundlePath), FittedOnTraining(altered.BundlePath));
        Assert.NotEqual(original.Metrics.Test["log_loss"], altered.Metrics.Test["log_loss"]);
    }

    /// <summary>The training part's model input as preparation leaves it, bit for bit.</summary>
    private static float[] Features(PipelineConfig config)
    {
        var prepared = Lathe.Data.Pipeline.Preparation.Run(config, TestData.TempDirectory());
        return prepared.Pipeline.Pack(prepared.TrainInput).Values!;
    }

    [Fact]
    public void Regression_on_cars_predicts_miles_per_gallon()
    {
        var config = new PipelineConfig
        {
            Target = "Miles_per_Gallon",
            Data = new DataConfig { Path = TestData.Vega("cars.json") },
            Training = new TrainingConfig { Epochs = 150, BatchSize = 32, Patience = 20, Threads = 2 },
        };
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.Equal(TaskKind.Regression, result.Metrics.Task);
        Assert.Equal(MetricKind.Rmse, result.Metrics.Metric);
        Assert.True(result.Metrics.Test["r2"] > 0.7, $"test r2 {result.Metrics.Test["r2"]}");
        Assert.True(result.Metrics.Test["rmse"] < 4.5, $"test rmse {result.Metrics.Test["rmse"]}");
        Assert.Equal(8, result.Metrics.Rows.DroppedMissingTarget);
    }

    [Fact]
    public void A_target_that_is_not_a_column_names_the_nearest_one()
    {
        var error = Assert.Throws<DataException>(() => TrainingRun.Run(TestData.Penguins() with { Target = "species" }, TestData.TempDirectory()));
        Assert.Contains("penguins.json: no target column named 'species' — did you mean 'Species'?", error.Message);
    }

    private int[] HeldOutRows()
    {
        var table = Lathe.Data.Sources.DataSource.Open(TestData.Vega("penguins.json")).Read();
        var classes = Lathe.Data.Pipeline.FittedTarget.Fit(table["Species"], TaskKind.Classification, []).EncodeClasses(table);
        var parts = Lathe.Data.Splitting.HoldoutSplit.Split(table.RowCount, new SplitConfig(), 42, classes);
        return [.. parts.Validation, .. parts.Test];
    }

    /// <summary>The bundle's pipeline.json without the target's temperature, the one statistic fitted on the validation
    /// part by design (<c>training.calibrate</c>, like the epoch early stopping keeps).</summary>
    private static string FittedOnTraining(string bundle)
    {
        var pipeline = JsonNode.Parse(Entry(bundle, "pipeline.json"))!;
        Assert.True(pipeline["target"]!.AsObject().Remove("temperature"), "a calibrated classifier's pipeline.json holds its temperature");
        return pipeline.ToJsonString();
    }

    private static byte[] Entry(string bundle, string name)
    {
        using var zip = ZipFile.OpenRead(bundle);
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
