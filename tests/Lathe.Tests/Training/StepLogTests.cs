using System.Globalization;
using System.Text.Json;
using Lathe.Training;

namespace Lathe.Tests.Training;

public class StepLogTests
{
    [Fact]
    public void Steps_jsonl_has_one_line_per_step_whose_losses_make_each_epochs_train_loss()
    {
        var config = CheckpointTests.Config();
        var directory = TestData.TempDirectory();
        var result = TrainingRun.Run(config, directory);
        var records = Records(directory);
        Assert.Equal(Checkpoint.Latest(directory).Checkpoint.Step, records.Count);
        Assert.Equal(Enumerable.Range(1, records.Count).Select(i => (long)i), records.Select(r => r.Step));
        foreach (var epoch in result.Metrics.History)
        {
            var steps = records.Where(r => r.Epoch == epoch.Epoch).ToList();
            Assert.Equal(Enumerable.Range(1, steps.Count), steps.Select(s => s.Batch));
            // The epoch's train loss is the row-weighted mean of its steps' losses: batches of 16, the last one shorter.
            var rows = result.Metrics.Rows.Train;
            var sum = 0.0;
            for (var i = 0; i < steps.Count; i++) sum += steps[i].Loss * Math.Min(16, rows - i * 16);
            Assert.Equal(epoch.TrainLoss, sum / rows);
            Assert.Equal(epoch.LearningRate, steps[^1].LearningRate);
        }
    }

    [Fact]
    public void A_resumed_run_cuts_the_log_back_to_its_checkpoint_and_drops_a_torn_last_line()
    {
        var config = CheckpointTests.Config();
        var whole = TestData.TempDirectory();
        TrainingRun.Run(config, whole);

        var broken = TestData.TempDirectory();
        using var cancel = new CancellationTokenSource();
        var steps = 0;
        var progress = new Inline(_ => { if (++steps == 37) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingRun.Run(config, broken, progress, cancellationToken: cancel.Token));
        // What a process killed after its checkpoint leaves: steps logged beyond it, and half a line.
        var log = Path.Combine(broken, StepLog.FileName);
        var beyond = File.ReadAllLines(Path.Combine(whole, StepLog.FileName))[37..41];
        File.AppendAllText(log, string.Join('\n', beyond) + "\n{\"step\":42,\"epo");
        TrainingRun.Run(config, broken, resume: true);
        Assert.Equal(File.ReadAllLines(Path.Combine(whole, StepLog.FileName)), File.ReadAllLines(log));
    }

    [Fact]
    public void A_damaged_line_before_the_last_is_refused_with_its_line_number()
    {
        var config = CheckpointTests.Config();
        var directory = TestData.TempDirectory();
        TrainingRun.Run(config, directory);
        var log = Path.Combine(directory, StepLog.FileName);
        var lines = File.ReadAllLines(log);
        lines[4] = "{\"step\":5,";
        File.WriteAllLines(log, lines);
        var error = Assert.Throws<CheckpointException>(() => TrainingRun.Run(config, directory, resume: true));
        Assert.Contains($"{log} has a damaged line 5", error.Message);
    }

    internal sealed record StepRecord(long Step, int Epoch, int Batch, float Loss, double LearningRate);

    internal static List<StepRecord> Records(string directory) =>
        File.ReadAllLines(Path.Combine(directory, StepLog.FileName)).Select(line =>
        {
            var e = JsonDocument.Parse(line).RootElement;
            return new StepRecord(e.GetProperty("step").GetInt64(), e.GetProperty("epoch").GetInt32(), e.GetProperty("batch").GetInt32(),
                float.Parse(e.GetProperty("loss").GetRawText(), CultureInfo.InvariantCulture), e.GetProperty("learning_rate").GetDouble());
        }).ToList();

    private sealed class Inline(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
