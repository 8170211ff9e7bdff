using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Models;
using Lathe.Training;
using static TorchSharp.torch;

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

    [Theory]
    [InlineData(OptimizerKind.Adam, 0.01)]
    [InlineData(OptimizerKind.AdamW, 0.01)]
    [InlineData(OptimizerKind.Rmsprop, 0.002)]
    [InlineData(OptimizerKind.Adagrad, 0.05)]
    public void Each_optimizer_trains_penguins_to_high_accuracy(OptimizerKind optimizer, double learningRate)
    {
        var config = TestData.Penguins() with
        {
            Training = new TrainingConfig { Optimizer = optimizer, LearningRate = learningRate, WeightDecay = optimizer == OptimizerKind.AdamW ? 0.01 : 0, Epochs = 40, BatchSize = 32, Patience = 15, Threads = 2 },
        };
        var metrics = TrainingRun.Run(config, TestData.TempDirectory()).Metrics;
        Assert.True(metrics.Test["accuracy"] >= 0.95, $"{optimizer}: test accuracy {metrics.Test["accuracy"]}");
    }

    [Fact]
    public void Nesterov_sgd_with_a_cosine_schedule_trains_penguins_and_the_history_shows_the_rate_falling()
    {
        var config = TestData.Penguins() with
        {
            Training = new TrainingConfig { Optimizer = OptimizerKind.Sgd, Nesterov = true, LearningRate = 0.05, Schedule = ScheduleKind.Cosine, WarmupEpochs = 2, Epochs = 30, BatchSize = 32, Patience = 0, Threads = 2 },
        };
        var metrics = TrainingRun.Run(config, TestData.TempDirectory()).Metrics;
        Assert.True(metrics.Test["accuracy"] >= 0.95, $"test accuracy {metrics.Test["accuracy"]}");
        var rates = metrics.History.Select(h => h.LearningRate).ToArray();
        Assert.Equal(30, rates.Length);
        // Warm-up ends at the last batch of epoch 2 at the full rate; from there each epoch's last rate is lower.
        Assert.Equal(0.05, rates[1], 9);
        for (var e = 2; e < 30; e++) Assert.True(rates[e] < rates[e - 1], $"epoch {e + 1}");
        Assert.True(rates[^1] < 0.05 * 1e-3, $"last rate {rates[^1]}");
    }

    [Fact]
    public void Step_schedule_rates_appear_per_epoch_in_the_history()
    {
        var config = TestData.Penguins() with
        {
            Training = new TrainingConfig { LearningRate = 0.01, Schedule = ScheduleKind.Step, StepSize = 3, StepGamma = 0.5, Epochs = 7, BatchSize = 32, Patience = 0, Threads = 2 },
        };
        var history = TrainingRun.Run(config, TestData.TempDirectory()).Metrics.History;
        Assert.Equal([0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025], history.Select(h => h.LearningRate));
    }

    [Fact]
    public void Clip_norm_bounds_the_gradient_norm_of_a_step()
    {
        // From all-zero weights, one full-batch SGD step at rate 1 moves the weights by exactly the (clipped) gradient.
        double StepNorm(double clip)
        {
            var config = TestData.Penguins();
            var prepared = Preparation.Run(config, TestData.TempDirectory());
            using var train = LabelledData.From(prepared.Train, prepared.Pipeline.Pack(prepared.TrainInput), prepared.Target);
            using var validation = LabelledData.From(prepared.Validation, prepared.Pipeline, prepared.Target);
            var spec = ModelSpec.Resolve(config.Model, train.Features.ItemShape, 3);
            using var model = spec.Build();
            Initialization.Apply(model, InitKind.Zeros, config.Seed);
            var training = new TrainingConfig { Optimizer = OptimizerKind.Sgd, Momentum = 0, LearningRate = 1, ClipNorm = clip, Epochs = 1, BatchSize = 10_000, Threads = 2 };
            new Trainer(training, prepared.Target, MetricKind.Accuracy, config.Seed, []).Fit(model, train, validation);
            using var _ = no_grad();
            return Math.Sqrt(model.parameters().Sum(p => p.pow(2).sum().item<float>()));
        }
        var free = StepNorm(0);
        Assert.True(free > 0.1, $"unclipped step {free}");
        Assert.Equal(0.01, StepNorm(0.01), 6);
    }
}
