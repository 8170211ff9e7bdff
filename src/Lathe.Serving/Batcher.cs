using System.Diagnostics;
using System.Threading.Channels;
using Lathe.Data.Pipeline;

namespace Lathe.Serving;

/// <summary>Micro-batching: requests put their rows in one queue, and one loop joins what is queued (up to
/// <see cref="ServedModel.MaxBatchSize"/> rows, waiting up to <see cref="ServeOptions.MaxBatchDelay"/> for more) into one
/// forward pass, then hands each request its own rows' outputs. A request alone in the server (no other in flight, nothing
/// queued, no pass running) runs its own pass on its own thread instead (<see cref="TryRunAlone"/>): that saves the two
/// thread hand-offs, which at one connection cost more than the pass. Passes are serialised by one lock either way.
/// A request is shed (503) when the queue is full or its estimated wait is past
/// <see cref="ServeOptions.MaxLatency"/>; a request cancelled while queued (timed out, client gone) is dropped before
/// its batch runs; a batch that fails is run again one request at a time, so only the request at fault fails.</summary>
public sealed class Batcher : IDisposable
{
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ServeOptions _options;
    private readonly ServeMetrics _metrics;
    private readonly Thread _loop;
    private int _queuedRows;
    // How much slower recent passes ran than the same sizes did as the model loaded: the mean of the last
    // SlowdownPasses ratios, each counted at most MaxRatio — the machine's load, applied to the model's pass-time curve
    // in the shedding estimates. A mean, because the queue drains in the sum of many passes; over 16, each capped,
    // because an exponentially weighted mean (0.2 per pass) let one descheduled pass, 50 times its usual time, add 10 to
    // it: under closed-loop load well within the bound (p99 64–82 ms) the CNN with 2 torch threads and batching off
    // shed 33–37 requests in 2 of 4 ten-second runs, 0 in 5 runs after.
    private double _slowdown = 1;
    private const int SlowdownPasses = 16;
    private const double MaxRatio = 8;
    private readonly double[] _ratios = [.. Enumerable.Repeat(1.0, SlowdownPasses)];
    private double _ratioSum = SlowdownPasses;
    private int _nextRatio;
    private long _lastShed = long.MinValue / 2;
    // Held for every forward pass: the network runs one pass at a time.
    private readonly Lock _network = new();
    [ThreadStatic]
    private static int _threadsSet;

    public Batcher(ServeOptions options, ServeMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
        _loop = new Thread(Run) { IsBackground = true, Name = "lathe batch loop" };
        _loop.Start();
    }

    /// <summary>Rows waiting for the model now.</summary>
    public int QueuedRows => Volatile.Read(ref _queuedRows);

    /// <summary>Whether a request was shed in the last second or the queue is over half full: readiness says 503 then.</summary>
    public bool Saturated => QueuedRows > _options.MaxQueue / 2 || Stopwatch.GetElapsedTime(Volatile.Read(ref _lastShed)) < TimeSpan.FromSeconds(1);

    /// <summary>Queues a request's model input; the task ends with its outputs, row-major. Throws <see cref="RequestException"/>
    /// (503) when the request is shed now; the task fails with one when, by the time its batch is formed, it could no
    /// longer be answered within <see cref="ServeOptions.MaxLatency"/> of <paramref name="arrived"/> (a
    /// <see cref="Stopwatch"/> timestamp; see <see cref="Late"/>).</summary>
    public Task<float[]> Submit(ServedModel model, Features features, long arrived, CancellationToken cancellationToken)
    {
        var rows = features.Rows;
        var queued = Interlocked.Add(ref _queuedRows, rows);
        if (Overloaded(model, queued, rows) is { } refusal)
        {
            Interlocked.Add(ref _queuedRows, -rows);
            throw Shed(refusal);
        }
        var work = new Work(model, features, arrived, Stopwatch.GetTimestamp(), cancellationToken);
        _metrics.QueuedRows.Set(queued);
        if (!_queue.Writer.TryWrite(work))
        {
            Interlocked.Add(ref _queuedRows, -rows);
            throw new RequestException(503, "overloaded", "Shutting down", "the server is shutting down; retry against another instance");
        }
        return work.Result.Task;
    }

    /// <summary>Sheds a request before its body is read when one more row would already be refused: under overload
    /// reading, parsing and transforming requests that are then refused took the time the model needed, and the
    /// requests waiting behind them in the HTTP layer waited seconds.</summary>
    public void ShedIfSaturated(ServedModel model)
    {
        var queued = QueuedRows;
        if (Overloaded(model, queued + 1, 1) is { } refusal) throw Shed(refusal);
    }

    /// <summary>Why a request of <paramref name="rows"/> rows, with <paramref name="queued"/> rows queued counting its own,
    /// must be shed; null when it may wait.</summary>
    private string? Overloaded(ServedModel model, int queued, int rows)
    {
        // One request alone in the queue is always taken, however large: shedding it would shed it forever.
        if (queued <= rows) return null;
        if (queued > _options.MaxQueue) return $"{queued - rows} rows are waiting for the model, and the queue holds {_options.MaxQueue} (--max-queue); retry shortly";
        // The rows ahead go in full passes of MaxBatchSize and one of what is left, each as long as the model's pass-time
        // curve says, slowed as recent passes were. (Per row, from one-row passes, a small MLP's 64 queued rows looked like
        // a second's wait; per pass, from the average, a ResNet's full 32-row passes were 2-3 times longer than counted.)
        var size = model.MaxBatchSize;
        var wait = TimeSpan.FromSeconds(Volatile.Read(ref _slowdown) * (queued / size * model.PassSeconds(size) + model.PassSeconds(queued % size)));
        return wait > _options.MaxLatency
            ? $"the estimated wait, {wait.TotalMilliseconds:0} ms, is longer than {_options.MaxLatency.TotalMilliseconds:0} ms (--max-latency-ms); retry shortly"
            : null;
    }

    private RequestException Shed(string reason)
    {
        Volatile.Write(ref _lastShed, Stopwatch.GetTimestamp());
        _metrics.Shed.Inc();
        return new RequestException(503, "overloaded", "Overloaded", reason);
    }

    /// <summary>Runs a lone request's pass on the calling thread when nothing is queued and no pass is running; false
    /// (nothing run) otherwise, and the request goes through <see cref="Submit"/>. The caller decides "lone": no other
    /// request in flight. A failing pass throws to the caller, as a failing batch of one would.</summary>
    public bool TryRunAlone(ServedModel model, Features features, out float[] outputs)
    {
        outputs = [];
        if (_options.ForwardDelay > TimeSpan.Zero || Volatile.Read(ref _queuedRows) > 0 || !_network.TryEnter()) return false;
        try
        {
            // A request queued between the check and the lock goes first: it was there before this one ran.
            if (Volatile.Read(ref _queuedRows) > 0) return false;
            UseServingThreads();
            var started = Stopwatch.GetTimestamp();
            outputs = model.Outputs(features);
            Measured(model, features.Rows, Stopwatch.GetElapsedTime(started).TotalSeconds);
            _metrics.LonePasses.Inc();
            return true;
        }
        finally
        {
            _network.Exit();
        }
    }

    private void Run()
    {
        UseServingThreads();
        var reader = _queue.Reader;
        Work? carried = null;
        var batch = new List<Work>();
        while (true)
        {
            if (carried is null)
            {
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) return;
                if (!reader.TryRead(out carried)) continue;
            }
            if (Late(carried))
            {
                carried = null;
                continue;
            }
            batch.Clear();
            batch.Add(carried);
            var rows = carried.Features.Rows;
            var deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxBatchDelay.TotalSeconds * Stopwatch.Frequency);
            var size = carried.Model.MaxBatchSize;
            carried = null;
            while (rows < size)
            {
                if (!reader.TryRead(out var next))
                {
                    var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                    if (left <= TimeSpan.Zero) break;
                    using var wait = new CancellationTokenSource(left);
                    try
                    {
                        if (!reader.WaitToReadAsync(wait.Token).AsTask().GetAwaiter().GetResult()) break;
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    continue;
                }
                if (Late(next)) continue;
                // A batch is one model's rows, of one layout, within the size: anything else waits for the next batch.
                if (next.Model != batch[0].Model || rows + next.Features.Rows > size)
                {
                    carried = next;
                    break;
                }
                batch.Add(next);
                rows += next.Features.Rows;
            }
            Execute(batch);
        }
    }

    /// <summary>Sheds a request that could no longer be answered within <see cref="ServeOptions.MaxLatency"/> of its
    /// arrival when its batch is formed: what it has waited plus a pass (the model's pass-time curve, slowed as recent
    /// passes were) is past the bound. The admission estimate is only an estimate (passes slow down when the HTTP
    /// threads take the cores): without this check an overloaded server answered its accepted requests in 0.6 s against
    /// a 0.2 s bound. A request that has been in the queue for less than a pass is always taken: it had its turn as soon
    /// as it could. (Counting from arrival alone shed a lone request whose body took long to read while the fuzz test's
    /// huge bodies held the cores, and would shed every request of a model whose one pass is longer than the bound.)</summary>
    private bool Late(Work work)
    {
        var waited = Stopwatch.GetElapsedTime(work.Arrived);
        var pass = TimeSpan.FromSeconds(Volatile.Read(ref _slowdown) * work.Model.PassSeconds(Math.Min(Math.Max(QueuedRows, work.Features.Rows), work.Model.MaxBatchSize)));
        if (Stopwatch.GetElapsedTime(work.Queued) <= pass || waited + pass <= _options.MaxLatency || work.Cancellation.IsCancellationRequested) return false;
        Interlocked.Add(ref _queuedRows, -work.Features.Rows);
        _metrics.QueuedRows.Set(QueuedRows);
        work.Result.TrySetException(Shed($"the request waited {waited.TotalMilliseconds:0} ms for the model, and its pass (≈ {pass.TotalMilliseconds:0} ms) would end past {_options.MaxLatency.TotalMilliseconds:0} ms (--max-latency-ms); retry shortly"));
        return true;
    }

    private void Execute(List<Work> batch)
    {
        if (_options.ForwardDelay > TimeSpan.Zero) Thread.Sleep(_options.ForwardDelay);
        var live = new List<Work>(batch.Count);
        foreach (var work in batch)
        {
            Interlocked.Add(ref _queuedRows, -work.Features.Rows);
            if (work.Cancellation.IsCancellationRequested)
            {
                work.Result.TrySetCanceled(work.Cancellation);
                _metrics.Dropped.Inc();
            }
            else live.Add(work);
        }
        _metrics.QueuedRows.Set(QueuedRows);
        if (live.Count == 0) return;
        lock (_network) Run(live);
    }

    private void Run(List<Work> live)
    {
        var model = live[0].Model;
        var started = Stopwatch.GetTimestamp();
        float[] outputs;
        int rows;
        try
        {
            var joined = Features.Concat(live.Select(w => w.Features).ToArray());
            rows = joined.Rows;
            outputs = model.Outputs(joined);
        }
        catch (Exception) when (live.Count > 1)
        {
            // One request's rows broke the pass: each alone, so that only it fails.
            foreach (var work in live) Run([work]);
            return;
        }
        catch (Exception e)
        {
            live[0].Result.TrySetException(e);
            return;
        }
        Measured(model, rows, Stopwatch.GetElapsedTime(started).TotalSeconds);
        _metrics.LiveTensors.Set(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        var width = model.OutputWidth;
        var at = 0;
        foreach (var work in live)
        {
            var length = work.Features.Rows * width;
            work.Result.TrySetResult(outputs.AsSpan(at, length).ToArray());
            at += length;
        }
    }

    /// <summary>Records a pass's time; called with <see cref="_network"/> held, so one pass at a time.</summary>
    private void Measured(ServedModel model, int rows, double seconds)
    {
        var expected = model.PassSeconds(rows);
        if (expected > 0)
        {
            var ratio = Math.Min(MaxRatio, seconds / expected);
            _ratioSum += ratio - _ratios[_nextRatio];
            _ratios[_nextRatio] = ratio;
            _nextRatio = (_nextRatio + 1) % SlowdownPasses;
            Volatile.Write(ref _slowdown, _ratioSum / SlowdownPasses);
        }
        _metrics.BatchRows.Observe(rows);
        _metrics.ForwardSeconds.Observe(seconds);
    }

    /// <summary>OpenMP's thread count belongs to the thread that sets it: the loop, and each thread that runs a lone pass, sets its own.
    /// (Left at the default two, its OpenMP workers spun against Kestrel's threads: 184 requests/s at 16 connections.)</summary>
    private void UseServingThreads()
    {
        var threads = _options.Threads > 0 ? _options.Threads : Environment.ProcessorCount;
        if (_threadsSet == threads) return;
        TorchSharp.torch.set_num_threads(threads);
        _threadsSet = threads;
    }

    /// <summary>Stops taking requests; the loop answers what is queued and ends.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _loop.Join(TimeSpan.FromSeconds(30));
    }

    private sealed record Work(ServedModel Model, Features Features, long Arrived, long Queued, CancellationToken Cancellation)
    {
        public TaskCompletionSource<float[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
