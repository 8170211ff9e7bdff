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
}
