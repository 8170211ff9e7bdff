namespace Lathe.Serving;

/// <summary>How <c>lathe serve</c> runs: where it listens, who may call it, how requests are batched, limited and logged.</summary>
public sealed record ServeOptions
{
    /// <summary>The bundle served; the only file the server reads, and what reload reads again.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Where to listen. Loopback unless told otherwise.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>With a key, every route but <c>/healthz</c> and <c>/readyz</c> asks for it (header <c>X-API-Key</c> or
    /// <c>Authorization: Bearer KEY</c>); 401 without it.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Rows one forward pass takes at most: concurrent requests are joined up to this; 1 turns micro-batching off.
    /// 0 (the default): chosen for each model as it loads, from timed passes (<see cref="ServedModel.MaxBatchSize"/>).</summary>
    public int MaxBatchSize { get; init; }

    /// <summary>Pad every forward pass to the batch size, so that a row's outputs are bit for bit the same whether it
    /// came alone or with others (<see cref="ServedModel.ExactBatches"/>).</summary>
    public bool ExactBatches { get; init; }

    /// <summary>How long the batch loop waits for more requests once it has one. Zero: it takes what is queued and goes;
    /// under load batches still form, from the requests that arrive while a forward pass runs.</summary>
    public TimeSpan MaxBatchDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Rows waiting for the model at most; a request beyond it is shed with 503.</summary>
    public int MaxQueue { get; init; } = 256;

    /// <summary>A request whose estimated wait (the passes the rows ahead need × the measured time of a pass) is longer is shed with 503.</summary>
    public TimeSpan MaxLatency { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A request not answered within this gets 504; its rows are dropped from the batch queue.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest request body; larger gets 413.</summary>
    public long MaxBodyBytes { get; init; } = 8 << 20;

    /// <summary>The most records one request may carry; more gets 413.</summary>
    public int MaxRecords { get; init; } = 1024;

    /// <summary>Categories the model never saw in training: accepted (the bundle's encoding handles them, one-hot as
    /// "none of these") or refused with 400.</summary>
    public bool RejectUnknownCategories { get; init; }

    /// <summary>Numbers outside the training range widened by its own width on each side are refused with 400.</summary>
    public bool RejectOutOfRange { get; init; } = true;

    /// <summary>The prediction log (<see cref="Serving.PredictionLog"/>): a folder of JSON Lines files (one per
    /// <see cref="LogFileBytes"/>), <c>sqlite:PATH</c> or <c>postgres:CONNECTION</c>; none: no log.</summary>
    public string? PredictionLog { get; init; }

    public long LogFileBytes { get; init; } = 64L << 20;

    /// <summary>Reload the model when its file changes.</summary>
    public bool Watch { get; init; } = true;

    /// <summary>How long shutdown waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>libtorch's threads for a forward pass; 0: every core. One leaves the other cores to HTTP and to
    /// transforming requests, which for small models is where the time goes.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Test hook: each forward pass first waits this long (the timeout and cancellation tests).</summary>
    public TimeSpan ForwardDelay { get; init; } = TimeSpan.Zero;
}
