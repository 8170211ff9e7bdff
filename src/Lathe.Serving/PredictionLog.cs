using System.Text.Json;
using System.Threading.Channels;

namespace Lathe.Serving;

/// <summary>Every served prediction, appended as one JSON line (time, model version, latency, the record as sent, the
/// answer) to <c>predictions-TIME.jsonl</c> in a folder, a new file once one passes its size: the input of monitoring.
/// A background writer does the disk work, so a request never waits on it; shutdown writes what is left.</summary>
public sealed class PredictionLog : IDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly string _directory;
    private readonly long _fileBytes;
    private readonly ServeMetrics _metrics;
    private readonly Task _writer;
    private int _backlog;

    public PredictionLog(string directory, long fileBytes, ServeMetrics metrics)
    {
        Directory.CreateDirectory(directory);
        _directory = directory;
        _fileBytes = fileBytes;
        _metrics = metrics;
        _writer = Task.Factory.StartNew(Write, TaskCreationOptions.LongRunning).Unwrap();
    }

    public ValueTask Append(string version, double latencyMs, IReadOnlyDictionary<string, RawValue> record, object answer)
    {
        var line = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["time"] = DateTimeOffset.UtcNow,
            ["model_version"] = version,
            ["latency_ms"] = Math.Round(latencyMs, 3),
            ["input"] = record.ToDictionary(p => p.Key, p => Value(p.Value)),
            ["output"] = answer,
        }, Json.Options);
        _metrics.LogBacklog.Set(Interlocked.Increment(ref _backlog));
        return _lines.Writer.WriteAsync(line);
    }

    private static object? Value(RawValue value) => value.Kind switch
    {
        RawKind.Number => value.Number,
        RawKind.Boolean => value.Number != 0,
        RawKind.String => value.Text,
        _ => null,
    };

    private async Task Write()
    {
        FileStream? file = null;
        StreamWriter? writer = null;
        try
        {
            while (await _lines.Reader.WaitToReadAsync())
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    if (writer is null || file!.Length >= _fileBytes)
                    {
                        writer?.Dispose();
                        var path = Path.Combine(_directory, $"predictions-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}.jsonl");
                        file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
                        writer = new StreamWriter(file) { AutoFlush = false };
                    }
                    writer.WriteLine(line);
                    _metrics.LogBacklog.Set(Interlocked.Decrement(ref _backlog));
                }
                writer?.Flush();
            }
        }
        finally
        {
            writer?.Dispose();
        }
    }

    /// <summary>Writes every line accepted so far, then closes the file.</summary>
    public void Dispose()
    {
        _lines.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(30));
    }
}
