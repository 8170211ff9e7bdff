using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Lathe.Training;

/// <summary>Writes <c>steps.jsonl</c>: one line per optimiser step, <c>{"step", "epoch", "batch", "loss", "learning_rate"}</c>,
/// the loss as the trainer computed it (single precision, written to round-trip). A resumed run first cuts the log back
/// to the step it resumes from, so a run killed and resumed leaves the same log as one never stopped.</summary>
/// <remarks>Lines are flushed to the operating system each step (a killed process loses none), not to disk: after
/// a power cut the log may end before the checkpoint does.</remarks>
public sealed class StepLog(string runDirectory) : ITrainerCallback, IDisposable
{
    public const string FileName = "steps.jsonl";

    public string Path { get; } = System.IO.Path.Combine(runDirectory, FileName);
    private StreamWriter? _writer;

    public void OnFitStart(TrainerState state)
    {
        Directory.CreateDirectory(runDirectory);
        var kept = File.Exists(Path) ? Until(File.ReadAllLines(Path), state.Step) : [];
        AtomicFile.WriteAllText(Path, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
        _writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    public void OnBatchEnd(TrainerState state)
    {
        var epoch = state.Epoch + 1;
        _writer!.Write(string.Create(CultureInfo.InvariantCulture,
            $"{{\"step\":{state.Step},\"epoch\":{epoch},\"batch\":{state.Batch},\"loss\":{Number(state.StepLoss)},\"learning_rate\":{state.StepLearningRate:R}}}\n"));
        _writer.Flush();
    }

    public void OnFitEnd(TrainerState state) => Dispose();

    public void OnException(TrainerState state, Exception exception) => Dispose();

    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }

    /// <summary>The lines of steps up to <paramref name="step"/>; a torn last line (a process killed mid-write) is dropped.</summary>
    private List<string> Until(string[] lines, long step)
    {
        var kept = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            long at;
            try
            {
                using var record = JsonDocument.Parse(line);
                at = record.RootElement.GetProperty("step").GetInt64();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                if (i == lines.Length - 1) break;
                throw new CheckpointException($"{Path} has a damaged line {i + 1} ({e.Message}); move the file away to resume without the earlier steps' losses");
            }
            if (at > step) break;
            kept.Add(line);
        }
        return kept;
    }

    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
