using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Training;

namespace Lathe.Tests.Training;

/// <summary>How training ends or bends when it must: a last batch of one row, a loss that is not finite, a wall-clock budget.</summary>
public class TrainerLimitsTests
{
    [Theory]
    [InlineData(225, 16, 14)]
    [InlineData(226, 32, 8)]
    [InlineData(225, 32, 7)]
    [InlineData(224, 16, 14)]
    [InlineData(17, 16, 1)]
    [InlineData(1, 16, 1)]
    [InlineData(1, 1, 1)]
    [InlineData(5, 1, 5)]
    public void A_last_batch_of_one_row_is_left_out_of_the_epoch(int rows, int batchSize, int batches) =>
        Assert.Equal(batches, Trainer.BatchesPerEpoch(rows, batchSize));

    [Fact]
    public void Batch_norm_trains_when_the_rows_leave_one_over_and_the_run_still_resumes_bit_identical()
    {
        var rows = Preparation.Run(TestData.Penguins(), TestData.TempDirectory()).Train.RowCount;
        // Two batches an epoch, the second of one row. Before the fix the one-row batch made batch norm's running
        // variance infinite (libtorch's unbiased n / (n − 1) with n = 1; PyTorch's Python layer would have refused it).
        var config = CheckpointTests.Config() with
        {
            Model = new ModelConfig { Layers = [16], Norm = NormKind.Batch },
            Training = CheckpointTests.Config().Training with { BatchSize = rows - 1, CheckpointEverySteps = 1, Epochs = 5 },
        };
        var whole = TestData.TempDirectory();
        var result = TrainingRun.Run(config, whole);
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            var weights = SafeTensors.Read(Bundle.Load(result.BundlePath).Weights, "weights");
            Assert.All(weights, w => Assert.True(w.Value.isfinite().all().item<bool>(), $"{w.Key} is not finite"));
        }
        Assert.Equal(result.Metrics.History.Count, Checkpoint.Latest(whole).Checkpoint.Step);
        Assert.All(StepLogTests.Records(whole), r => Assert.Equal(1, r.Batch));
        Assert.True(result.Metrics.Validation["accuracy"] > 0.5, $"validation accuracy {result.Metrics.Validation["accuracy"]}");

        var broken = TestData.TempDirectory();
        using var cancel = new CancellationTokenSource();
        var steps = 0;
        var progress = new Inline<TrainingProgress>(_ => { if (++steps == 3) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingRun.Run(config, broken, progress, cancellationToken: cancel.Token));
        TrainingRun.Run(config, broken, resume: true);
        CheckpointTests.AssertSameTraining(whole, broken);
    }

    /// <summary>Penguins' body mass by plain SGD at a rate of 10⁶: the weights overflow within a few steps.</summary>
    internal static PipelineConfig Diverging() => TestData.Penguins() with
    {
        Target = "Body Mass (g)",
        Task = TaskKind.Regression,
        Training = new TrainingConfig { Optimizer = OptimizerKind.Sgd, Momentum = 0, LearningRate = 1e6, Epochs = 5, BatchSize = 16, Threads = 1, CheckpointEverySteps = 4 },
    };

    [Fact]
    public void A_loss_that_becomes_nan_or_infinite_stops_before_its_step_with_a_resumable_checkpoint_of_the_step_before()
    {
        var directory = TestData.TempDirectory();
        var error = Assert.Throws<TrainingDivergedException>(() => TrainingRun.Run(Diverging(), directory));
        Assert.Matches(@"^the training loss became (NaN|\+infinity|-infinity) at epoch 1, batch \d+ \(step \d+\)", error.Message);
        Assert.Contains("training.learning_rate", error.Message);
        Assert.False(File.Exists(Path.Combine(directory, TrainingRun.BundleFile)));
        var (checkpoint, refused) = Checkpoint.Latest(directory);
        Assert.Null(refused);
        Assert.Equal(error.Step - 1, checkpoint.Step);
        Assert.Equal(error.Step - 1, StepLogTests.Records(directory).Count);
        Assert.All(StepLogTests.Records(directory), r => Assert.True(float.IsFinite(r.Loss)));
        Assert.Empty(Directory.GetFiles(Path.Combine(directory, Checkpoint.Folder), "*" + AtomicFile.TemporarySuffix));
        // The checkpoint's weights are those of the last good step, so resuming meets the same loss at the same step.
        var again = Assert.Throws<TrainingDivergedException>(() => TrainingRun.Run(Diverging(), directory, resume: true));
        Assert.Equal(error.Message, again.Message);
    }

    [Fact]
    public void Max_minutes_ends_training_after_the_epoch_that_spends_it_and_keeps_the_best_epoch()
    {
        var config = CheckpointTests.Config() with { Training = CheckpointTests.Config().Training with { Epochs = 50, Patience = 0, MaxMinutes = 1e-6 } };
        var directory = TestData.TempDirectory();
        var stages = new List<string>();
        var result = TrainingRun.Run(config, directory, stage: new Inline<string>(stages.Add));
        // 60 µs is spent within the first epoch: training ends after it.
        Assert.Single(result.Metrics.History);
        Assert.Contains("training.max_minutes (1E-06) spent: stopped after epoch 1, keeping epoch 1", stages);

        // 0.3 s, with each epoch's end made 100 ms slower: the budget runs out in the 3rd or 4th epoch (2nd on a slow machine).
        var slower = config with { Training = config.Training with { MaxMinutes = 0.005 } };
        var run = TestData.TempDirectory();
        result = TrainingRun.Run(slower, run, callbacks: [new Sleeping(TimeSpan.FromMilliseconds(100))]);
        Assert.InRange(result.Metrics.History.Count, 2, 4);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run, Checkpoint.Folder, Checkpoint.BestFile)), Bundle.Load(result.BundlePath).Weights);
        Assert.Equal(result.Metrics.History.MaxBy(h => h.ValidationMetric)!.Epoch, result.Metrics.BestEpoch);

        var unlimited = TrainingRun.Run(config with { Training = config.Training with { Epochs = 3, MaxMinutes = 0 } }, TestData.TempDirectory());
        Assert.Equal(3, unlimited.Metrics.History.Count);
    }

    private sealed class Sleeping(TimeSpan pause) : ITrainerCallback
    {
        public void OnEpochEnd(TrainerState state) => Thread.Sleep(pause);
    }

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
