using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Sources;
using Lathe.Evaluation;
using Lathe.Training;

namespace Lathe.Tests.Evaluation;

public class EvaluatorTests
{
    [Fact]
    public void Evaluation_scores_labelled_rows_and_counts_the_unlabelled_ones()
    {
        var config = new PipelineConfig
        {
            Target = "Miles_per_Gallon",
            Data = new DataConfig { Path = TestData.Vega("cars.json") },
            Training = new TrainingConfig { Epochs = 40, BatchSize = 32, Threads = 2 },
        };
        var run = TrainingRun.Run(config, TestData.TempDirectory());
        var cars = DataSource.Open(TestData.Vega("cars.json")).Read();
        var result = Evaluator.Evaluate(Bundle.Load(run.BundlePath), cars);
        Assert.Equal(406 - 8, result.Rows);
        Assert.Equal(8, result.DroppedMissingTarget);
        Assert.True(result.Test["r2"] > 0.6, $"r2 {result.Test["r2"]}");
        Assert.Null(result.ConfusionMatrix);
    }

    [Fact]
    public void Classification_metrics_match_a_hand_computed_confusion_matrix()
    {
        // Three classes; truth and predictions chosen so every count is easy to check by hand.
        long[] truth = [0, 0, 0, 1, 1, 2];
        int[] predicted = [0, 0, 1, 1, 2, 2];
        var probabilities = predicted.SelectMany(p => Enumerable.Range(0, 3).Select(k => k == p ? 0.8f : 0.1f)).ToArray();
        var (metrics, confusion) = ClassificationMetrics.Compute(truth, probabilities, 3);
        Assert.Equal(4.0 / 6, metrics["accuracy"], 12);
        // F1 per class: 0 → p 1, r 2/3 → 0.8; 1 → p 1/2, r 1/2 → 0.5; 2 → p 1/2, r 1 → 2/3.
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, metrics["macro_f1"], 12);
        Assert.Equal((0.8 * 3 + 0.5 * 2 + 2.0 / 3) / 6, metrics["weighted_f1"], 12);
        Assert.Equal(2, confusion[0, 0]);
        Assert.Equal(1, confusion[1, 2]);
        Assert.Equal(-(4 * Math.Log(0.8) + 2 * Math.Log(0.1)) / 6, metrics["log_loss"], 6);
    }

    [Fact]
    public void Regression_metrics_match_hand_computed_values()
    {
        double[] truth = [1, 2, 3, 4];
        double[] predicted = [1, 3, 3, 2];
        var metrics = RegressionMetrics.Compute(truth, predicted);
        Assert.Equal(Math.Sqrt(5.0 / 4), metrics["rmse"], 12);
        Assert.Equal(3.0 / 4, metrics["mae"], 12);
        Assert.Equal(1 - 5.0 / 5, metrics["r2"], 12);
    }
}
