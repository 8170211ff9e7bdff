using Lathe.Config;
using Lathe.Training;

namespace Lathe.Tests.Training;

public class ClassWeightsTests
{
    [Fact]
    public void Balanced_weights_are_inverse_frequencies_with_an_average_row_weight_of_one()
    {
        long[] classes = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
        var weights = ClassWeights.Resolve(ClassWeighting.Balanced, classes, 3, MetricKind.Accuracy)!;
        // n / (K · n_c) = 12 / (3·6), 12 / (3·2), 12 / (3·4).
        Assert.Equal([12.0 / 18, 2, 1], weights);
        Assert.Equal(1, classes.Average(c => weights[c]), 12);
    }

    [Fact]
    public void Auto_weights_only_from_a_three_to_one_imbalance_under_macro_f1_and_none_never_does()
    {
        long[] mild = [0, 0, 0, 0, 0, 1, 1];         // 2.5 : 1
        long[] strong = [0, 0, 0, 0, 0, 0, 1, 1];    // 3 : 1
        Assert.Null(ClassWeights.Resolve(ClassWeighting.Auto, mild, 2, MetricKind.MacroF1));
        Assert.NotNull(ClassWeights.Resolve(ClassWeighting.Auto, strong, 2, MetricKind.MacroF1));
        // Under accuracy, weighting would work against the metric asked for; balanced still weights when told to.
        Assert.Null(ClassWeights.Resolve(ClassWeighting.Auto, strong, 2, MetricKind.Accuracy));
        Assert.NotNull(ClassWeights.Resolve(ClassWeighting.Balanced, strong, 2, MetricKind.Accuracy));
        Assert.Null(ClassWeights.Resolve(ClassWeighting.None, strong, 2, MetricKind.MacroF1));
    }

    [Fact]
    public void Seattle_weather_is_imbalanced_so_auto_weights_its_classes_under_macro_f1_and_records_them()
    {
        var config = new PipelineConfig
        {
            Target = "weather",
            Metric = MetricKind.MacroF1,
            Seed = 42,
            Data = new DataConfig { Path = TestData.Vega("seattle-weather.csv") },
            Model = new ModelConfig { Layers = [32] },
            Training = new TrainingConfig { Epochs = 4, BatchSize = 64, Threads = 2 },
        };
        var run = TrainingRun.Run(config, TestData.TempDirectory());
        var metrics = run.Metrics;
        var weights = metrics.ClassWeights;
        Assert.NotNull(weights);
        Assert.Equal(metrics.Classes.Count, weights.Count);
        // Snow (the rarest class) weighs most; rain and sun (the commonest) weigh less than 1.
        var snow = metrics.Classes.ToList().IndexOf("snow");
        Assert.Equal(weights.Max(), weights[snow]);
        Assert.True(weights[metrics.Classes.ToList().IndexOf("sun")] < 1);
        Assert.True(weights[snow] > 5);
        var written = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run.OutputDirectory, TrainingRun.MetricsFile)))!;
        Assert.Equal(weights[snow], written["class_weights"]![snow]!.GetValue<double>());
    }

    [Fact]
    public void Seattle_weather_under_accuracy_trains_unweighted()
    {
        var config = new PipelineConfig
        {
            Target = "weather",
            Seed = 42,
            Data = new DataConfig { Path = TestData.Vega("seattle-weather.csv") },
            Model = new ModelConfig { Layers = [32] },
            Training = new TrainingConfig { Epochs = 2, BatchSize = 64, Threads = 2 },
        };
        var run = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.Equal(MetricKind.Accuracy, run.Metrics.Metric);
        Assert.Null(run.Metrics.ClassWeights);
    }
}
