using Lathe.Config;
using Lathe.Training;

namespace Lathe.Tests.Training;

public class TrainerTests
{
    [Fact]
    public void Early_stopping_ends_after_patience_and_keeps_the_best_epochs_weights()
    {
        var config = TestData.Penguins() with { Training = new TrainingConfig { Epochs = 200, BatchSize = 32, Patience = 5, Threads = 2 } };
        var metrics = TrainingRun.Run(config, TestData.TempDirectory()).Metrics;
        Assert.True(metrics.Epochs < 200, "training should have stopped early");
        Assert.Equal(metrics.BestEpoch + 5, metrics.Epochs);
        var best = metrics.History.MaxBy(h => h.ValidationMetric)!;
        Assert.Equal(best.Epoch, metrics.BestEpoch);
        // The final validation score is the best epoch's, computed again from the restored weights.
        Assert.Equal(best.ValidationMetric, metrics.Validation["accuracy"]);
    }

    [Fact]
    public void Sgd_with_momentum_trains_penguins_too()
    {
        var config = TestData.Penguins() with
        {
            Training = new TrainingConfig { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, Epochs = 60, BatchSize = 32, Patience = 15, Threads = 2 },
        };
        var metrics = TrainingRun.Run(config, TestData.TempDirectory()).Metrics;
        Assert.True(metrics.Test["accuracy"] >= 0.95, $"test accuracy {metrics.Test["accuracy"]}");
        Assert.True(metrics.History[^1].TrainLoss < metrics.History[0].TrainLoss / 3);
    }

    [Fact]
    public void Macro_f1_can_be_the_metric_that_picks_the_best_epoch()
    {
        var config = TestData.Penguins() with { Metric = MetricKind.MacroF1 };
        var metrics = TrainingRun.Run(config, TestData.TempDirectory()).Metrics;
        Assert.Equal(MetricKind.MacroF1, metrics.Metric);
        Assert.Equal(metrics.History.Max(h => h.ValidationMetric), metrics.Validation["macro_f1"]);
    }
}
