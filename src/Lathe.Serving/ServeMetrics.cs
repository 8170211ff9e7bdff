using Prometheus;

namespace Lathe.Serving;

/// <summary>The server's own Prometheus metrics, in a registry of its own (so that two servers in one process, as in
/// the tests, count apart). The HTTP request counters and latency histograms by route and status come from
/// prometheus-net's middleware on the same registry; the process collectors give memory and CPU.</summary>
public sealed class ServeMetrics
{
    public ServeMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        // The process's memory, CPU and collections (process_working_set_bytes is its RSS), as the default registry has them.
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        BatchRows = factory.CreateHistogram("lathe_batch_rows", "Rows per forward pass (micro-batch size).",
            new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        LonePasses = factory.CreateCounter("lathe_lone_passes_total", "Forward passes a lone request ran on its own thread (no other request in flight), not through the batch queue.");
        RecordPath = factory.CreateCounter("lathe_record_path_requests_total", "One-record requests read straight into the model's row and answered from its outputs (the record path), not through the table path.");
        ForwardSeconds = factory.CreateHistogram("lathe_forward_seconds", "Seconds per forward pass.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.00005, 2, 16) });
        QueuedRows = factory.CreateGauge("lathe_queued_rows", "Rows waiting for the model.");
        Shed = factory.CreateCounter("lathe_shed_requests_total", "Requests answered 503 because the queue was full or too slow.");
        Dropped = factory.CreateCounter("lathe_dropped_requests_total", "Queued requests dropped before their batch ran (timed out or client gone).");
        Predictions = factory.CreateCounter("lathe_predictions_total", "Rows predicted, by predicted class (\"value\" for regression).", "class");
        ModelInfo = factory.CreateGauge("lathe_model_info", "1 for the model version being served.", "version");
        Reloads = factory.CreateCounter("lathe_model_reloads_total", "Model reloads, by result.", "result");
        LiveTensors = factory.CreateGauge("lathe_live_tensors", "TorchSharp tensors alive on the batch loop's thread (flat when nothing leaks).");
        LogBacklog = factory.CreateGauge("lathe_prediction_log_backlog", "Prediction log entries not yet written.");
        LogFailures = factory.CreateCounter("lathe_prediction_log_failures_total", "Failed writes of a batch of prediction log entries (each retried up to 5 times, a second apart).");
        LogDropped = factory.CreateCounter("lathe_prediction_log_dropped_total", "Prediction log entries given up after their batch failed 5 times.");
        // Every collection stops every request; its count is in dotnet_collection_count_total, its time here.
        var paused = factory.CreateCounter("dotnet_gc_pause_seconds_total", "Seconds the process was paused by garbage collections since it started.");
        Registry.AddBeforeCollectCallback(() => paused.IncTo(GC.GetTotalPauseDuration().TotalSeconds));
    }

    public CollectorRegistry Registry { get; }
    public Histogram BatchRows { get; }
    public Counter LonePasses { get; }
    public Counter RecordPath { get; }
    public Histogram ForwardSeconds { get; }
    public Gauge QueuedRows { get; }
    public Counter Shed { get; }
    public Counter Dropped { get; }
    public Counter Predictions { get; }
    public Gauge ModelInfo { get; }
    public Counter Reloads { get; }
    public Gauge LiveTensors { get; }
    public Gauge LogBacklog { get; }
    public Counter LogFailures { get; }
    public Counter LogDropped { get; }
}
