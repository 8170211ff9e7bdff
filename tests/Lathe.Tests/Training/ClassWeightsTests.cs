using Lathe.Config;
using Lathe.Training;

namespace Lathe.Tests.Training;

public class ClassWeightsTests
{
    [Fact]
    public void Balanced_weights_are_inverse_frequencies_with_an_average_row_weight_of_one()
    {
        long[] classes = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
        var weights = ClassWeights.Resolve(ClassWeighting.Balanced, classes, 3)!;
        // n / (K · n_c) = 12 / (3·6), 12 / (3·2), 12 / (3·4).
        Assert.Equal([12.0 / 18, 2, 1], weights);
        Assert.Equal(1, classes.Average(c => weights[c]), 12);
    }

    [Fact]
    public void Auto_weights_only_from_a_three_to_one_imbalance_and_none_never_does()
    {
        long[] mild = [0, 0, 0, 0, 0, 1, 1];         // 2.5 : 1
        long[] strong = [0, 0, 0, 0, 0, 0, 1, 1];    // 3 : 1
        Assert.Null(ClassWeights.Resolve(ClassWeighting.Auto, mild, 2));
        Assert.NotNull(ClassWeights.Resolve(ClassWeighting.Auto, strong, 2));
        Assert.Null(ClassWeights.Resolve(ClassWeighting.None, strong, 2));
    }

    [Fact]
    public void Seattle_weather_is_imbalanced_so_auto_weights_its_classes_and_records_them()
    {
        var config = new PipelineConfig
        {
            Target = "weather",
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
}
