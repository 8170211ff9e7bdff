using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Lathe.Serving;

/// <summary>Every served prediction (time, model version, latency, the record as read, the answer): the input of
/// monitoring. Written to <c>predictions-TIME.jsonl</c> files in a folder (a new file once one passes its size), or as
/// rows of a <c>lathe_predictions</c> table in SQLite (<c>sqlite:PATH</c>) or PostgreSQL (<c>postgres:CONNECTION</c>).
/// A background writer does the disk and database work in batches, so a request never waits on it; shutdown writes what
/// is left. A batch that fails to be written (a full disk, a database gone) is tried again a second later, up to five
/// times, then given up and counted (<c>lathe_prediction_log_failures_total</c>, <c>lathe_prediction_log_dropped_total</c>):
/// the log must not stop the server, whose requests would otherwise wait on a full queue.</summary>
public sealed class PredictionLog : IDisposable
{
    /// <summary>The table the database forms write to.</summary>
    public const string Table = "lathe_predictions";

    private readonly Channel<LogEntry> _entries = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly IPredictionSink _sink;
    private readonly ServeMetrics _metrics;
    private readonly Task _writer;
    private int _backlog;
    private const int MaxBatch = 4096;
    // How long a batch may gather before it is written: the most a logged prediction waits to reach the log.
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(10);

    /// <param name="target">A folder for JSON Lines files, <c>sqlite:PATH</c> or <c>postgres:CONNECTION</c> (an Npgsql
    /// connection string; the password may come from PGPASSWORD or a pgpass file instead).</param>
    public PredictionLog(string target, long fileBytes, ServeMetrics metrics)
    {
        _sink = target.StartsWith("sqlite:", StringComparison.Ordinal) ? DatabaseSink.Sqlite(target["sqlite:".Length..])
            : target.StartsWith("postgres:", StringComparison.Ordinal) ? DatabaseSink.Postgres(target["postgres:".Length..])
            : new FileSink(target, fileBytes);
        _metrics = metrics;
        _writer = Task.Factory.StartNew(Write, TaskCreationOptions.LongRunning).Unwrap();
    }

    public ValueTask Append(string version, double latencyMs, IReadOnlyDictionary<string, RawValue> record, object answer)
    {
        var entry = new LogEntry(DateTimeOffset.UtcNow, version, Math.Round(latencyMs, 3),
            JsonSerializer.Serialize(record.ToDictionary(p => p.Key, p => Value(p.Value)), Json.Options),
            JsonSerializer.Serialize(answer, Json.Options));
        _metrics.LogBacklog.Set(Interlocked.Increment(ref _backlog));
        return _entries.Writer.WriteAsync(entry);
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
        var batch = new List<LogEntry>();
        try
        {
            while (await _entries.Reader.WaitToReadAsync())
            {
                // A batch gathers for a moment: one write (one transaction) and one wake-up of this thread for many
                // predictions, not one for each; at one connection the log's wake-ups and writes took a core from the requests.
                if (_entries.Reader.Count < MaxBatch) await Task.Delay(Gather);
                batch.Clear();
                while (batch.Count < MaxBatch && _entries.Reader.TryRead(out var entry)) batch.Add(entry);
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        _sink.Write(batch);
                        break;
                    }
                    catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException or InvalidOperationException)
                    {
                        _metrics.LogFailures.Inc();
                        if (attempt == 5)
                        {
                            _metrics.LogDropped.Inc(batch.Count);
                            break;
                        }
                        await Task.Delay(TimeSpan.FromSeconds(1));
                    }
                }
                _metrics.LogBacklog.Set(Interlocked.Add(ref _backlog, -batch.Count));
            }
        }
        finally
        {
            _sink.Dispose();
        }
    }

    /// <summary>Writes every entry accepted so far, then closes the file or connection.</summary>
    public void Dispose()
    {
        _entries.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(30));
    }
}

/// <summary>One logged prediction; <see cref="Input"/> and <see cref="Output"/> are JSON.</summary>
internal readonly record struct LogEntry(DateTimeOffset Time, string Version, double LatencyMs, string Input, string Output);

internal interface IPredictionSink : IDisposable
{
    void Write(IReadOnlyList<LogEntry> entries);
}

/// <summary>JSON Lines, one object per prediction, in <c>predictions-TIME.jsonl</c> files of at most about
/// <c>fileBytes</c> each.</summary>
internal sealed class FileSink : IPredictionSink
{
    private readonly string _directory;
    private readonly long _fileBytes;
    private readonly System.Buffers.ArrayBufferWriter<byte> _lines = new();
    private readonly Utf8JsonWriter _writer;
    private FileStream? _file;

    public FileSink(string directory, long fileBytes)
    {
        Directory.CreateDirectory(directory);
        (_directory, _fileBytes) = (directory, fileBytes);
        _writer = new Utf8JsonWriter(_lines, new JsonWriterOptions { Encoder = Json.Options.Encoder });
    }

    /// <summary>Writes a batch as one piece: its lines are formatted first, then written in one call to an unbuffered
    /// file. A batch that fails (a full disk) is cut off the file again, so the retry neither repeats lines nor leaves
    /// half of one behind for a reader of the log. A batch goes whole into one file: a new file starts before a batch
    /// once the current one has reached its size (so a file may pass it by one batch).</summary>
    public void Write(IReadOnlyList<LogEntry> entries)
    {
        _lines.ResetWrittenCount();
        foreach (var entry in entries)
        {
            _writer.Reset(_lines);
            _writer.WriteStartObject();
            _writer.WriteString("time", entry.Time);
            _writer.WriteString("model_version", entry.Version);
            _writer.WriteNumber("latency_ms", entry.LatencyMs);
            _writer.WritePropertyName("input");
            _writer.WriteRawValue(entry.Input, skipInputValidation: true);
            _writer.WritePropertyName("output");
            _writer.WriteRawValue(entry.Output, skipInputValidation: true);
            _writer.WriteEndObject();
            _writer.Flush();
            System.Buffers.BuffersExtensions.Write(_lines, "\n"u8);
        }
        if (_file is null || _file.Length >= _fileBytes)
        {
            _file?.Dispose();
            var path = Path.Combine(_directory, $"predictions-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}.jsonl");
            _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        }
        var start = _file.Length;
        try
        {
            _file.Write(_lines.WrittenSpan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                _file.SetLength(start);
            }
            catch (IOException)
            {
                // Not even that: the next batch starts a new file.
                _file.Dispose();
                _file = null;
            }
            throw;
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _writer.Dispose();
    }
}

/// <summary>Rows of <see cref="PredictionLog.Table"/>, created when missing: one transaction per batch. SQLite in WAL
/// mode with synchronous=FULL and a 30 s busy timeout, so monitoring can read the file while the server writes.</summary>
internal sealed class DatabaseSink : IPredictionSink
{
    private readonly DbConnection _connection;
    // The pragmas and the CREATE TABLE, run on opening and again after a failed write (the table may have been dropped).
    private readonly string[] _setup;
    private bool _failed;

    private DatabaseSink(DbConnection connection, string where, string create, params string[] pragmas)
    {
        _connection = connection;
        _setup = [.. pragmas, create];
        try
        {
            connection.Open();
            foreach (var sql in _setup) Execute(sql);
        }
        catch (DbException e)
        {
            connection.Dispose();
            throw new LatheException($"--prediction-log {where}: cannot open the log table ({e.Message})");
        }
    }

    public static DatabaseSink Sqlite(string path)
    {
        if (path.Length == 0) throw new LatheException("--prediction-log sqlite:PATH needs a file path");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new LatheException($"--prediction-log sqlite:{path}: the folder '{folder}' does not exist");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        return new DatabaseSink(connection, $"sqlite:{path}",
            $"CREATE TABLE IF NOT EXISTS {PredictionLog.Table} (id INTEGER PRIMARY KEY, time TEXT NOT NULL, model_version TEXT NOT NULL, latency_ms REAL NOT NULL, input TEXT NOT NULL, output TEXT NOT NULL)",
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=30000");
    }

    public static DatabaseSink Postgres(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new LatheException($"--prediction-log postgres:…: not a connection string ({e.Message}); e.g. postgres:Host=localhost;Database=monitoring;Username=lathe");
        }
        return new DatabaseSink(new NpgsqlConnection(builder.ToString()), $"postgres://{builder.Host}:{builder.Port}/{builder.Database}",
            $"CREATE TABLE IF NOT EXISTS {PredictionLog.Table} (id bigserial PRIMARY KEY, time timestamptz NOT NULL, model_version text NOT NULL, latency_ms double precision NOT NULL, input jsonb NOT NULL, output jsonb NOT NULL)");
    }

    public void Write(IReadOnlyList<LogEntry> entries)
    {
        if (_failed)
        {
            // After a failure: a broken connection is opened again, a dropped table made again.
            if (_connection.State != System.Data.ConnectionState.Open)
            {
                _connection.Close();
                _connection.Open();
            }
            foreach (var sql in _setup) Execute(sql);
            _failed = false;
        }
        try
        {
            Insert(entries);
        }
        catch (DbException)
        {
            _failed = true;
            throw;
        }
    }

    private void Insert(IReadOnlyList<LogEntry> entries)
    {
        using var transaction = _connection.BeginTransaction();
        using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        var postgres = _connection is NpgsqlConnection;
        insert.CommandText = postgres
            ? $"INSERT INTO {PredictionLog.Table} (time, model_version, latency_ms, input, output) VALUES (@time, @version, @latency, @input::jsonb, @output::jsonb)"
            : $"INSERT INTO {PredictionLog.Table} (time, model_version, latency_ms, input, output) VALUES (@time, @version, @latency, @input, @output)";
        var parameters = new[] { "@time", "@version", "@latency", "@input", "@output" }.Select(name =>
        {
            var parameter = insert.CreateParameter();
            parameter.ParameterName = name;
            insert.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        foreach (var entry in entries)
        {
            parameters[0].Value = postgres ? entry.Time : entry.Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            parameters[1].Value = entry.Version;
            parameters[2].Value = entry.LatencyMs;
            parameters[3].Value = entry.Input;
            parameters[4].Value = entry.Output;
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
