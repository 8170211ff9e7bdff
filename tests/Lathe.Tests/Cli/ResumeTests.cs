using System.Diagnostics;
using Lathe.Config;
using Lathe.Tests.Training;
using Lathe.Training;

namespace Lathe.Tests.Cli;

/// <summary>R8 at T1 scale: a real <c>lathe train</c> child process killed mid-run and resumed ends bit-identical to
/// an uninterrupted run.</summary>
public class ResumeTests
{
    /// <summary>40 epochs of 15 batches with no early stop, a checkpoint every 4 steps: long enough to be killed mid-run.</summary>
    private static PipelineConfig Config() => CheckpointTests.Config() with
    {
        Training = CheckpointTests.Config().Training with { Epochs = 40, Patience = 0 },
    };

    [Fact]
    public void A_train_process_killed_at_random_steps_and_resumed_ends_bit_identical_to_an_uninterrupted_run()
    {
        var folder = TestData.TempDirectory();
        var configFile = Path.Combine(folder, "penguins.yaml");
        File.WriteAllText(configFile, ConfigWriter.Write(Config()));
        var whole = Path.Combine(folder, "whole");
        var uninterrupted = LatheProcess.Run(folder, "train", configFile, "--out", whole);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Error);
        var total = Checkpoint.Latest(whole).Checkpoint.Step;

        // T1: 3 kills here; bench/reliability/r8.sh sets LATHE_R8_TRIALS=20 for T2.
        var trials = int.TryParse(Environment.GetEnvironmentVariable("LATHE_R8_TRIALS"), out var asked) ? asked : 3;
        var random = new Random(2026);
        for (var trial = 0; trial < trials; trial++)
        {
            var run = Path.Combine(folder, $"killed-{trial}");
            var after = random.Next(1, (int)total * 9 / 10);
            using var child = LatheProcess.Start(folder, "train", configFile, "--out", run);
            var killedAt = KillAfter(child, run, after, signal: null);
            Assert.InRange(killedAt, after, total - 1);
            // Whatever the kill interrupted, every file under a final name is whole.
            Assert.All(Directory.GetFiles(Path.Combine(run, Checkpoint.Folder), "*.ckpt"), f => Assert.True(IsWhole(f), f));

            // The killed run may have logged steps after its last checkpoint; the resumed run logs them again.
            var stopped = Checkpoint.Latest(run).Checkpoint.Step;
            var logged = File.ReadAllLines(Path.Combine(run, StepLog.FileName)).Length;
            Assert.InRange(logged, stopped, total);

            var resumed = LatheProcess.Run(folder, "train", configFile, "--resume", run);
            Assert.True(resumed.ExitCode == 0, resumed.Error);
            CheckpointTests.AssertSameTraining(whole, run);
            Console.WriteLine($"R8 trial {trial + 1}/{trials}: killed once the checkpoint reached step {killedAt} ({logged} steps logged), resumed from step {stopped}: bit-identical");
        }
    }

    [Fact]
    public void Ctrl_c_ends_the_batch_writes_a_checkpoint_exits_130_and_says_how_to_resume()
    {
        var folder = TestData.TempDirectory();
        var configFile = Path.Combine(folder, "penguins.yaml");
        // Long enough (6,000 steps) that on a fast, idle machine the run cannot finish before the signal lands.
        File.WriteAllText(configFile, ConfigWriter.Write(Config() with { Training = Config().Training with { Epochs = 400 } }));
        var run = Path.Combine(folder, "run");
        using var process = LatheProcess.Start(folder, "train", configFile, "--out", run);
        KillAfter(process, run, 40, signal: "INT");
        var outcome = process.Finish();
        Assert.Equal(130, outcome.ExitCode);
        Assert.Contains($"--resume {run}", outcome.Error);
        var stopped = Checkpoint.Latest(run).Checkpoint;
        Assert.True(stopped.Step > 40 && stopped.Step < 6000, $"stopped at step {stopped.Step}");

        var resumed = LatheProcess.Run(folder, "train", configFile, "--resume", run);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        var whole = Path.Combine(folder, "whole");
        Assert.Equal(0, LatheProcess.Run(folder, "train", configFile, "--out", whole).ExitCode);
        CheckpointTests.AssertSameTraining(whole, run);
    }

    [Fact]
    public void Resume_with_a_changed_config_exits_1_with_a_clear_error()
    {
        var folder = TestData.TempDirectory();
        var configFile = Path.Combine(folder, "penguins.yaml");
        var config = CheckpointTests.Config();
        File.WriteAllText(configFile, ConfigWriter.Write(config));
        var run = Path.Combine(folder, "run");
        Assert.Equal(0, LatheProcess.Run(folder, "train", configFile, "--out", run).ExitCode);
        File.WriteAllText(configFile, ConfigWriter.Write(config with { Seed = 1 }));
        var outcome = LatheProcess.Run(folder, "train", configFile, "--resume", run);
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("another config", outcome.Error);
    }

    [Fact]
    public void A_train_process_whose_loss_becomes_nan_exits_1_names_the_step_and_leaves_the_step_before_as_a_checkpoint()
    {
        var folder = TestData.TempDirectory();
        var configFile = Path.Combine(folder, "penguins-mass.yaml");
        File.WriteAllText(configFile, ConfigWriter.Write(TrainerLimitsTests.Diverging()));
        var run = Path.Combine(folder, "run");
        var outcome = LatheProcess.Run(folder, "train", configFile, "--out", run);
        Assert.Equal(1, outcome.ExitCode);
        var said = System.Text.RegularExpressions.Regex.Match(outcome.Error, @"error: the training loss became (NaN|\+infinity|-infinity) at epoch 1, batch \d+ \(step (\d+)\)");
        Assert.True(said.Success, outcome.Error);
        Assert.DoesNotContain("internal error", outcome.Error);
        var step = long.Parse(said.Groups[2].Value);
        var (checkpoint, refused) = Checkpoint.Latest(run);
        Assert.Null(refused);
        Assert.Equal(step - 1, checkpoint.Step);
        Assert.False(File.Exists(Path.Combine(run, TrainingRun.BundleFile)));
        Assert.Empty(Directory.GetFiles(run, "*" + AtomicFile.TemporarySuffix, SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("fit_start", 0L)]
    [InlineData("batch_start:20", 19L)]
    [InlineData("before_optimizer_step:20", 19L)]
    [InlineData("batch_end:20", 20L)]
    [InlineData("validation_end:2", 30L)]
    [InlineData("epoch_end:2", 30L)]
    [InlineData("fit_end", -1L)]
    public void An_exception_at_a_hook_of_lathe_train_exits_2_leaves_a_resumable_checkpoint_and_says_how_to_go_on(string fault, long step)
    {
        var folder = TestData.TempDirectory();
        var configFile = Path.Combine(folder, "penguins.yaml");
        var config = CheckpointTests.Config();
        File.WriteAllText(configFile, ConfigWriter.Write(config));
        var run = Path.Combine(folder, "run");
        var outcome = WithFault(fault, folder, "train", configFile, "--out", run);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains($"internal error: InvalidOperationException: fault injected at {fault.Replace(':', ' ')}", outcome.Error);
        Assert.Contains($"continue with: lathe train {configFile} --resume {run}", outcome.Error);
        var whole = Path.Combine(folder, "whole");
        Assert.Equal(0, LatheProcess.Run(folder, "train", configFile, "--out", whole).ExitCode);
        var (checkpoint, refused) = Checkpoint.Latest(run);
        Assert.Null(refused);
        // -1: the fit's end, where early stopping ended the uninterrupted run.
        Assert.Equal(step >= 0 ? step : Checkpoint.Latest(whole).Checkpoint.Step, checkpoint.Step);
        Assert.False(File.Exists(Path.Combine(run, TrainingRun.BundleFile)));
        Assert.Empty(Directory.GetFiles(run, "*" + AtomicFile.TemporarySuffix, SearchOption.AllDirectories));

        var resumed = LatheProcess.Run(folder, "train", configFile, "--resume", run);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        CheckpointTests.AssertSameTraining(whole, run);
    }

    /// <summary>Runs <c>lathe</c> with <c>LATHE_FAULT_AT</c> set.</summary>
    private static LatheProcess.Outcome WithFault(string fault, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(LatheProcess.Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["LATHE_FAULT_AT"] = fault;
        var process = Process.Start(start)!;
        using var running = new LatheProcess.Running(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync(), string.Join(' ', args));
        return running.Finish();
    }

    /// <summary>Watches the run's last checkpoint and, once it reaches step <paramref name="after"/>, sends
    /// <paramref name="signal"/> (null: SIGKILL); returns the step of the checkpoint seen.</summary>
    private static long KillAfter(LatheProcess.Running running, string run, long after, string? signal)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (running.Process.HasExited) Assert.Fail($"the process ended before step {after}: {running.Finish().Error}");
            var step = LastStep(run);
            if (step >= after)
            {
                if (signal is null)
                {
                    running.Process.Kill();
                    running.Process.WaitForExit();
                }
                else
                {
                    Process.Start("kill", ["-" + signal, running.Process.Id.ToString()])!.WaitForExit();
                }
                return step;
            }
            Thread.Sleep(2);
        }
        throw new TimeoutException($"no checkpoint reached step {after}");
    }

    private static long LastStep(string run)
    {
        try
        {
            return Checkpoint.Latest(run).Checkpoint.Step;
        }
        catch (Exception e) when (e is IOException or CheckpointException)
        {
            return -1;
        }
    }

    private static bool IsWhole(string file)
    {
        try
        {
            Checkpoint.FromBytes(File.ReadAllBytes(file), file);
            return true;
        }
        catch (CheckpointException)
        {
            return false;
        }
    }
}
