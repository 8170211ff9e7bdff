using Lathe.Bundles;
using Lathe.Config;
using Lathe.Training;

namespace Lathe.Tests.Training;

public class CheckpointTests
{
    /// <summary>Penguins on one thread, 6 epochs of 15 batches, dropout on (so the engine's generator matters), a
    /// checkpoint every 4 steps.</summary>
    internal static PipelineConfig Config(OptimizerKind optimizer = OptimizerKind.Adam, ScheduleKind schedule = ScheduleKind.ReduceOnPlateau) =>
        TestData.Penguins() with
        {
            Model = new ModelConfig { Layers = [32, 16], Dropout = 0.2 },
            Training = new TrainingConfig
            {
                Optimizer = optimizer, Schedule = schedule, LearningRate = optimizer == OptimizerKind.Sgd ? 0.05 : 0.01,
                PlateauPatience = 1, Epochs = 6, BatchSize = 16, Patience = 3, Threads = 1, CheckpointEverySteps = 4,
            },
        };

    [Theory]
    [InlineData(OptimizerKind.Adam, ScheduleKind.ReduceOnPlateau, 7)]
    [InlineData(OptimizerKind.Sgd, ScheduleKind.OneCycle, 30)]
    [InlineData(OptimizerKind.AdamW, ScheduleKind.Cosine, 45)]
    [InlineData(OptimizerKind.Rmsprop, ScheduleKind.Step, 61)]
    public void A_run_cancelled_after_a_step_and_resumed_ends_bit_identical_to_an_uninterrupted_one(OptimizerKind optimizer, ScheduleKind schedule, int stopAfter)
    {
        var config = Config(optimizer, schedule);
        var whole = TestData.TempDirectory();
        TrainingRun.Run(config, whole);

        var broken = TestData.TempDirectory();
        using var cancel = new CancellationTokenSource();
        var steps = 0;
        var progress = new Inline<TrainingProgress>(_ => { if (++steps == stopAfter) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingRun.Run(config, broken, progress, cancellationToken: cancel.Token));
        var (stopped, _) = Checkpoint.Latest(broken);
        Assert.Equal(stopAfter, stopped.Step);
        Assert.False(File.Exists(Path.Combine(broken, TrainingRun.BundleFile)));

        TrainingRun.Run(config, broken, resume: true);
        AssertSameTraining(whole, broken);
    }

    [Fact]
    public void Resuming_a_finished_run_changes_nothing()
    {
        var config = Config();
        var whole = TestData.TempDirectory();
        TrainingRun.Run(config, whole);
        var weights = Bundle.Load(Path.Combine(whole, TrainingRun.BundleFile)).Weights;
        TrainingRun.Run(config, whole, resume: true);
        Assert.Equal(weights, Bundle.Load(Path.Combine(whole, TrainingRun.BundleFile)).Weights);
    }

    [Fact]
    public void Resume_with_another_config_or_without_a_checkpoint_is_refused_with_a_clear_error()
    {
        var directory = TestData.TempDirectory();
        var missing = Assert.Throws<CheckpointException>(() => TrainingRun.Run(Config(), directory, resume: true));
        Assert.Contains("no checkpoint", missing.Message);
        TrainingRun.Run(Config(), directory);
        var other = Config() with { Training = Config().Training with { LearningRate = 0.02 } };
        var changed = Assert.Throws<CheckpointException>(() => TrainingRun.Run(other, directory, resume: true));
        Assert.Contains("another config", changed.Message);
    }

    [Fact]
    public void A_torn_or_damaged_last_checkpoint_is_refused_and_the_previous_one_used()
    {
        var directory = TestData.TempDirectory();
        TrainingRun.Run(Config(), directory);
        var folder = Path.Combine(directory, Checkpoint.Folder);
        var (good, _) = Checkpoint.Latest(directory);
        var previous = Checkpoint.FromBytes(File.ReadAllBytes(Path.Combine(folder, Checkpoint.PreviousFile)), "previous");
        Assert.True(previous.Step < good.Step);
        var bytes = File.ReadAllBytes(Path.Combine(folder, Checkpoint.LastFile));
        var random = new Random(11);
        // R11 at its T2 figure, 200 cuts: a writer killed after n bytes, had it written under the final name.
        for (var cut = 0; cut < 200; cut++)
        {
            var n = random.Next(0, bytes.Length);
            File.WriteAllBytes(Path.Combine(folder, Checkpoint.LastFile), bytes[..n]);
            var (loaded, refused) = Checkpoint.Latest(directory);
            Assert.Equal(previous.Step, loaded.Step);
            Assert.NotNull(refused);
        }
        var flipped = (byte[])bytes.Clone();
        flipped[^100] ^= 1;
        File.WriteAllBytes(Path.Combine(folder, Checkpoint.LastFile), flipped);
        Assert.Contains("SHA-256", Checkpoint.Latest(directory).Refused);

        File.WriteAllBytes(Path.Combine(folder, Checkpoint.PreviousFile), bytes[..10]);
        var none = Assert.Throws<CheckpointException>(() => Checkpoint.Latest(directory));
        Assert.Contains("no usable checkpoint", none.Message);
    }

    [Fact]
    public void Writes_leave_no_partial_file_under_a_final_name_and_stale_temporary_files_go_at_the_next_start()
    {
        var directory = TestData.TempDirectory();
        var folder = Path.Combine(directory, Checkpoint.Folder);
        Directory.CreateDirectory(folder);
        // What a writer killed mid-write leaves: a temporary file beside the final name.
        var stale = Path.Combine(folder, $"{Checkpoint.LastFile}.999999{AtomicFile.TemporarySuffix}");
        File.WriteAllBytes(stale, new byte[1234]);
        // In the run's folder too (a bundle write killed); a live writer's file (pid 1 is always running) and a .tmp
        // file that is not a writer's stay.
        var staleBundle = Path.Combine(directory, $"{TrainingRun.BundleFile}.999998{AtomicFile.TemporarySuffix}");
        var (live, notes) = (Path.Combine(directory, $"metrics.json.1{AtomicFile.TemporarySuffix}"), Path.Combine(directory, "notes.tmp"));
        foreach (var file in new[] { staleBundle, live, notes }) File.WriteAllBytes(file, new byte[10]);
        var seen = new List<string>();
        var progress = new Inline<TrainingProgress>(_ =>
        {
            foreach (var file in Directory.GetFiles(folder, "*.ckpt"))
                seen.Add(Checkpoint.FromBytes(File.ReadAllBytes(file), file).Step.ToString());
        });
        TrainingRun.Run(Config(), directory, progress);
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleBundle));
        Assert.True(File.Exists(live) && File.Exists(notes));
        Assert.NotEmpty(seen);
        Assert.Equal([Checkpoint.BestFile, Checkpoint.LastFile, Checkpoint.PreviousFile],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void An_exception_in_a_callback_writes_a_resumable_checkpoint_and_reaches_the_caller()
    {
        var config = Config();
        var directory = TestData.TempDirectory();
        var data = Path.Combine(directory, "run");
        // The progress reporter is a callback the caller owns; it throws at step 20.
        var steps = 0;
        var progress = new Inline<TrainingProgress>(_ => { if (++steps == 20) throw new InvalidOperationException("the callback broke"); });
        var error = Assert.Throws<InvalidOperationException>(() => TrainingRun.Run(config, data, progress));
        Assert.Equal("the callback broke", error.Message);
        Assert.Equal(20, Checkpoint.Latest(data).Checkpoint.Step);
        Assert.Empty(Directory.GetFiles(Path.Combine(data, Checkpoint.Folder), "*" + AtomicFile.TemporarySuffix));

        var whole = TestData.TempDirectory();
        TrainingRun.Run(config, whole);
        TrainingRun.Run(config, data, resume: true);
        AssertSameTraining(whole, data);
    }

    [Theory]
    [InlineData("fit start")]
    [InlineData("epoch start")]
    [InlineData("batch start")]
    [InlineData("before backward")]
    [InlineData("before optimizer step")]
    [InlineData("batch end")]
    [InlineData("validation start")]
    [InlineData("validation end")]
    [InlineData("epoch end")]
    [InlineData("fit end")]
    public void An_exception_at_any_hook_leaves_a_resumable_checkpoint_and_no_temporary_file(string hook)
    {
        // Batch norm as well as dropout: a step broken off after its forward pass has moved both the generator and the
        // running statistics on, and the checkpoint must hold neither move.
        var config = Config() with { Model = Config().Model with { Norm = NormKind.Batch } };
        var whole = TestData.TempDirectory();
        TrainingRun.Run(config, whole);
        var data = TestData.TempDirectory();
        var throwing = new Throwing(hook);
        var error = Assert.Throws<InvalidOperationException>(() => TrainingRun.Run(config, data, callbacks: [throwing]));
        Assert.Equal($"thrown at {hook}", error.Message);
        Assert.Same(error, Assert.Single(throwing.Seen));
        Assert.False(File.Exists(Path.Combine(data, TrainingRun.BundleFile)));
        var (checkpoint, refused) = Checkpoint.Latest(data);
        Assert.Null(refused);
        Assert.Empty(Directory.GetFiles(Path.Combine(data, Checkpoint.Folder), "*" + AtomicFile.TemporarySuffix));
        // Early stopping may end the run before epoch 6: the fit ends at the uninterrupted run's last step.
        Assert.Equal(hook switch
        {
            "fit start" => 0, "epoch start" => 15, "batch start" or "before backward" or "before optimizer step" => 19, "batch end" => 20,
            "validation start" or "validation end" or "epoch end" => 30,
            _ => Checkpoint.Latest(whole).Checkpoint.Step,
        }, checkpoint.Step);

        TrainingRun.Run(config, data, resume: true);
        AssertSameTraining(whole, data);
    }

    /// <summary>Throws at one hook: the fit's start, the 2nd epoch's start, before, inside or after the 20th step, the
    /// 2nd epoch's validation, its end or the fit's end.</summary>
    private sealed class Throwing(string hook) : ITrainerCallback
    {
        /// <summary>What <see cref="OnException"/> was called with, once per call.</summary>
        public List<Exception> Seen { get; } = [];
        public void OnException(TrainerState state, Exception exception) => Seen.Add(exception);
        public void OnFitStart(TrainerState state) => ThrowAt("fit start");
        public void OnEpochStart(TrainerState state) { if (state.Epoch == 1) ThrowAt("epoch start"); }
        public void OnBatchStart(TrainerState state) { if (state.Step == 19) ThrowAt("batch start"); }
        public void OnBeforeBackward(TrainerState state) { if (state.Step == 19) ThrowAt("before backward"); }
        public void OnBeforeOptimizerStep(TrainerState state) { if (state.Step == 19) ThrowAt("before optimizer step"); }
        public void OnBatchEnd(TrainerState state) { if (state.Step == 20) ThrowAt("batch end"); }
        public void OnValidationStart(TrainerState state) { if (state.Epoch == 1) ThrowAt("validation start"); }
        public void OnValidationEnd(TrainerState state) { if (state.Epoch == 1) ThrowAt("validation end"); }
        public void OnEpochEnd(TrainerState state) { if (state.Epoch == 2) ThrowAt("epoch end"); }
        public void OnFitEnd(TrainerState state) => ThrowAt("fit end");
        private void ThrowAt(string here) { if (here == hook) throw new InvalidOperationException($"thrown at {here}"); }
    }

    [Fact]
    public void Hooks_inside_the_step_see_its_loss_then_its_gradients_before_the_weights_move()
    {
        var config = Config() with { Model = Config().Model with { Norm = NormKind.Batch }, Training = Config().Training with { Epochs = 2 } };
        var directory = TestData.TempDirectory();
        var watcher = new StepWatcher();
        TrainingRun.Run(config, directory, callbacks: [watcher]);

        var logged = File.ReadAllLines(Path.Combine(directory, StepLog.FileName))
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("loss").GetSingle()).ToArray();
        Assert.Equal(30, logged.Length);
        Assert.Equal(logged, watcher.Losses);
        Assert.All(watcher.GradientsBeforeBackward, norm => Assert.Equal(0, norm));
        Assert.All(watcher.GradientsBeforeStep, norm => Assert.True(norm > 0));
        Assert.All(watcher.WeightsMovedBeforeStep, Assert.False);
        Assert.Equal(2, watcher.Validations);
    }

    /// <summary>Records, at each step, the loss and the gradients' squared norm the hooks inside the step see, and
    /// whether the weights had moved by the optimiser step's hook (they must not have).</summary>
    private sealed class StepWatcher : ITrainerCallback
    {
        private float[] _weights = [];
        public List<float> Losses { get; } = [];
        public List<double> GradientsBeforeBackward { get; } = [];
        public List<double> GradientsBeforeStep { get; } = [];
        public List<bool> WeightsMovedBeforeStep { get; } = [];
        public int Validations { get; private set; }

        public void OnBatchStart(TrainerState state) => _weights = Weights(state);

        public void OnBeforeBackward(TrainerState state)
        {
            Losses.Add(state.StepLoss);
            GradientsBeforeBackward.Add(Gradients(state));
        }

        public void OnBeforeOptimizerStep(TrainerState state)
        {
            GradientsBeforeStep.Add(Gradients(state));
            WeightsMovedBeforeStep.Add(!Weights(state).SequenceEqual(_weights));
        }

        public void OnValidationEnd(TrainerState state) => Validations += state.ValidationMetrics.Count > 0 ? 1 : 0;

        private static float[] Weights(TrainerState state) => [.. state.Model.parameters().SelectMany(p => p.data<float>().ToArray())];

        private static double Gradients(TrainerState state) =>
            state.Model.parameters().Sum(p => p.grad is { } g ? g.pow(2).sum().item<float>() : 0);
    }

    [Fact]
    public void Only_a_callback_that_listens_inside_the_step_makes_the_trainer_copy_the_step_start()
    {
        using var stopping = new EarlyStopping(MetricKind.Accuracy, 3);
        Assert.False(StepStart.Wanted([stopping, new ModelCheckpoint(TestData.TempDirectory(), 4, stopping, "", "")]));
        Assert.True(StepStart.Wanted([stopping, new Throwing("none")]));
    }

    /// <summary>Same bundle weights; same final checkpoint (position and progress counters, weights, optimiser, generator,
    /// best weights, plateau state); same history but for timings; the same per-step loss log, line for line.</summary>
    internal static void AssertSameTraining(string expected, string actual)
    {
        Assert.Equal(Bundle.Load(Path.Combine(expected, TrainingRun.BundleFile)).Weights, Bundle.Load(Path.Combine(actual, TrainingRun.BundleFile)).Weights);
        var (a, _) = Checkpoint.Latest(expected);
        var (b, _) = Checkpoint.Latest(actual);
        Assert.Equal((a.Epoch, a.Batch, a.Step, a.StopRequested, a.BestEpoch), (b.Epoch, b.Batch, b.Step, b.StopRequested, b.BestEpoch));
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.EpochLossSum), BitConverter.DoubleToInt64Bits(b.EpochLossSum));
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.BestValue), BitConverter.DoubleToInt64Bits(b.BestValue));
        var (expectedLog, actualLog) = (File.ReadAllLines(Path.Combine(expected, StepLog.FileName)), File.ReadAllLines(Path.Combine(actual, StepLog.FileName)));
        Assert.Equal(a.Step, expectedLog.Length);
        Assert.Equal(expectedLog, actualLog);
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.Optimizer, b.Optimizer);
        Assert.Equal(a.Generator, b.Generator);
        Assert.Equal(a.Best, b.Best);
        Assert.Equal(a.Plateau, b.Plateau);
        Assert.Equal(a.History.Select(h => h with { Seconds = 0 }), b.History.Select(h => h with { Seconds = 0 }));
    }

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
