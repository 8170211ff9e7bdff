using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Prometheus;

namespace Lathe.Serving;

/// <summary><c>lathe serve</c>: one bundle behind an ASP.NET Core minimal API. Routes: <c>POST /v1/predict</c> (JSON
/// records or CSV), <c>GET /healthz</c> (alive), <c>GET /readyz</c> (model loaded and warmed, not saturated),
/// <c>GET /metrics</c> (Prometheus), <c>GET /v1/model</c> (schema, version, metrics), <c>GET /openapi.json</c> (from
/// the bundle's schema), <c>POST /v1/admin/reload</c> and <c>GET /problems/TYPE</c>. Every error is problem details.</summary>
public sealed class LatheServer : IAsyncDisposable
{
    private readonly ServeOptions _options;
    private readonly ServeMetrics _metrics = new();
    private readonly Batcher _batcher;
    private readonly PredictionLog? _log;
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly byte[]? _apiKey;
    private ServedModel? _model;
    private WebApplication? _app;
    private FileSystemWatcher? _watcher;
    private Timer? _debounce;
    private ILogger? _logger;
    // Predict requests between their start and their outputs: one alone runs its own forward pass.
    private int _inFlight;

    private LatheServer(ServeOptions options, ServedModel model)
    {
        _options = options;
        _model = model;
        _batcher = new Batcher(options, _metrics);
        if (options.PredictionLog is not null) _log = new PredictionLog(options.PredictionLog, options.LogFileBytes, _metrics);
        if (options.ApiKey is not null) _apiKey = Encoding.UTF8.GetBytes(options.ApiKey);
        _metrics.ModelInfo.WithLabels(model.Version).Set(1);
        UseRecordPath(model);
    }

    /// <summary>Gives <paramref name="model"/> its record path (RecordRow), or the reason it has none.</summary>
    private void UseRecordPath(ServedModel model)
    {
        model.Row = RecordRow.For(model, _options, _metrics, out var why);
        model.NoRowBecause = why;
    }

    public ServedModel? Model => Volatile.Read(ref _model);
    public ServeMetrics Metrics => _metrics;

    /// <summary>The addresses Kestrel listens on (with the real port when the URL asked for port 0).</summary>
    public IReadOnlyList<string> Addresses => _app?.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];

    /// <summary>Loads and warms the bundle, then starts listening. A bundle that fails verification is a
    /// <see cref="BundleFormatException"/> and nothing is started.</summary>
    public static async Task<LatheServer> StartAsync(ServeOptions options, CancellationToken cancellationToken = default)
    {
        var model = ServedModel.Load(options.ModelPath, options.Threads, options.MaxBatchSize, options.ExactBatches);
        var server = new LatheServer(options, model);
        try
        {
            server._app = server.Build();
            await server._app.StartAsync(cancellationToken);
            if (options.Watch) server.WatchModelFile();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app!.WaitForShutdownAsync(cancellationToken);

    private WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "lathe" });
        // The server is configured by its options alone. ASP.NET Core would also read appsettings.json from the current
        // directory (and watch it): a stray file there with a Kestrel endpoint bound 0.0.0.0 beside --urls.
        builder.Configuration.Sources.Clear();
        Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(builder.Configuration); // where the settings below (UseUrls) are written
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        // ASP.NET Core's hosting starts an Activity, a log scope and their execution-context entries for every request
        // whenever any logger is on for its category; off, a request allocates less. Its requests are logged below
        // Warning anyway, and what it logs above (a failed start) reaches the user as the exception StartAsync throws.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.WebHost.UseUrls(_options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = _options.MaxBodyBytes;
            kestrel.Limits.MaxRequestHeaderCount = 100;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240, TimeSpan.FromSeconds(5));
        });
        // A request runs on the thread its socket's read completed on, not handed to the thread pool and back: with the
        // inline socket completions `lathe serve` turns on (InlineSocketCompletions), that is the socket's epoll thread,
        // so a lone request is answered on one thread (docs/serving.md, "One connection, 2026-12-04"). Nothing on the request path
        // blocks: queued passes run on the batch loop's thread, the prediction log writes on its own, reloads in Task.Run.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = _options.ShutdownTimeout);
        var app = builder.Build();
        _logger = app.Logger;
        if (Model is { Row: null } model) _logger.LogInformation("one-record requests go the table path: {Reason}", model.NoRowBecause);

        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e)
            {
                await Problems.Write(context, e.StatusCode, e.StatusCode == 413 ? "too-large" : "bad-request", "Bad request", e.Message);
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
            {
                _logger.LogError(e, "unexpected fault answering {Path}", context.Request.Path.Value);
                await Problems.Write(context, 500, "server-error", "Server error", "an unexpected fault; it is logged and the server keeps serving");
            }
        });
        app.UseHttpMetrics(o => o.SetMetricFactory(Prometheus.Metrics.WithCustomRegistry(_metrics.Registry)));
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (_apiKey is null || path == "/healthz" || path == "/readyz" || path.StartsWithSegments("/problems") || HasKey(context.Request))
            {
                await next(context);
                return;
            }
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problems.Write(context, 401, "unauthorized", "Unauthorized", "this server asks for an API key: send it as the X-API-Key header or as Authorization: Bearer KEY");
        });
        app.UseStatusCodePages(async status =>
        {
            var code = status.HttpContext.Response.StatusCode;
            var (type, title) = code switch
            {
                404 => ("not-found", "Not found"),
                405 => ("method-not-allowed", "Method not allowed"),
                _ => ("bad-request", "Bad request"),
            };
            await Problems.Write(status.HttpContext, code, type, title, $"{status.HttpContext.Request.Method} {status.HttpContext.Request.Path.Value}: {title.ToLowerInvariant()}");
        });

        app.MapPost("/v1/predict", Predict);
        app.MapGet("/healthz", (HttpContext context) => WriteJson(context, 200, new { status = "alive" }));
        app.MapGet("/readyz", Ready);
        app.MapGet("/v1/model", (HttpContext context) => WithModel(context, model => WriteJson(context, 200, Describe(model))));
        app.MapGet("/openapi.json", (HttpContext context) => WithModel(context, model => WriteJson(context, 200, OpenApi.Document(model, _options))));
        app.MapPost("/v1/admin/reload", async (HttpContext context) =>
        {
            var (ok, detail) = await ReloadAsync();
            if (ok) await WriteJson(context, 200, new { model_version = Model!.Version, detail });
            else await Problems.Write(context, 422, "reload-failed", "Reload failed", detail);
        });
        app.MapGet("/problems/{type}", (HttpContext context) =>
        {
            var type = (string)context.Request.RouteValues["type"]!;
            return Problems.Types.TryGetValue(type, out var text)
                ? WriteJson(context, 200, new { type = Problems.TypeUri(type), description = text })
                : Problems.Write(context, 404, "not-found", "Not found", $"no problem type '{type}'");
        });
        app.MapMetrics("/metrics", _metrics.Registry);
        return app;
    }

    private bool HasKey(HttpRequest request)
    {
        string? given = request.Headers["X-API-Key"];
        if (given is null && request.Headers.Authorization.ToString() is { } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            given = authorization["Bearer ".Length..].Trim();
        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _apiKey);
    }

    private async Task Predict(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var model = Hold();
        if (model is null)
        {
            await Problems.Write(context, 503, "not-ready", "Not ready", "no model is loaded");
            return;
        }
        Interlocked.Increment(ref _inFlight);
        var inFlight = true;
        byte[]? pooled = null;
        try
        {
            _batcher.ShedIfSaturated(model);
            RequestRecords request;
            // One plain JSON record goes the record path (RecordRow) where the model has one; what it declines, the table path
            // takes from the same bytes.
            if (model.Row is { } row && PlainJsonLength(context.Request) is > 0 and var length)
            {
                pooled = ArrayPool<byte>.Shared.Rent(length);
                await context.Request.Body.ReadExactlyAsync(pooled.AsMemory(0, length), context.RequestAborted);
                if (row.TryRead(pooled.AsSpan(0, length)) is { } input)
                {
                    if (await Outputs(context, model, input, started) is not { } rowOutputs) return;
                    Interlocked.Decrement(ref _inFlight);
                    inFlight = false;
                    Respond(context.Response, row.Answer(model.Version, rowOutputs));
                    _metrics.RecordPath.Inc();
                    await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
                    if (_log is not null) await LogRecord(model, pooled.AsMemory(0, length), rowOutputs, started);
                    return;
                }
                request = RequestRecords.FromJson(pooled.AsMemory(0, length), _options.MaxRecords);
            }
            else request = await ReadRecords(context, model);
            var table = RecordTable.Build(request, model, _options);
            Data.Pipeline.Features features;
            try
            {
                // Many requests at once already keep the cores busy: each transforms its few rows on its own thread.
                using var _ = Parallelism.Inline();
                features = model.Pipeline.Transform(table);
            }
            catch (DataException e)
            {
                throw new RequestException(400, "invalid-input", "Invalid input", e.Message);
            }
            if (await Outputs(context, model, features, started) is not { } outputs) return;
            Interlocked.Decrement(ref _inFlight);
            inFlight = false;
            var predictions = Predictor.Decode(outputs, model.Target);
            // Far outside the training data (with --out-of-range accept) a network can overflow: no class is then more likely than another.
            if (predictions.Task is TaskKind.Classification or TaskKind.Multilabel && Array.FindIndex(predictions.Probabilities, p => !float.IsFinite(p)) is var bad and >= 0)
                throw NotFinite(request.Single ? "the record" : $"record [{bad / predictions.Classes.Count}]");
            var answers = Answers.For(predictions);
            CountPredictions(predictions);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            var answer = Answers.Serialize(model.Version, answers, request.Single);
            // With its length known the answer goes out in one write, not as chunks closed by a second one.
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
            if (_log is not null)
            {
                var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                for (var i = 0; i < answers.Count; i++) await _log.Append(model.Version, latency, request.Records[i], answers[i]);
            }
        }
        catch (RequestException e)
        {
            if (e.Status == 503) context.Response.Headers.RetryAfter = "1";
            await Problems.Write(context, e);
        }
        finally
        {
            if (pooled is not null) ArrayPool<byte>.Shared.Return(pooled);
            if (inFlight) Interlocked.Decrement(ref _inFlight);
            model.Release();
        }
    }

    /// <summary>The prediction log's entry for a record the record path answered, made as the table path makes its own:
    /// the record as <see cref="RequestRecords"/> reads it and the answer as <see cref="Answers.For"/> gives it, so a log
    /// reads the same whichever path answered.</summary>
    private ValueTask LogRecord(ServedModel model, ReadOnlyMemory<byte> body, float[] outputs, long started)
    {
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var record = RequestRecords.FromJson(body, 1).Records[0];
        return _log!.Append(model.Version, latency, record, Answers.For(Predictor.Decode(outputs, model.Target))[0]);
    }

    /// <summary>Far outside the training data (with --out-of-range accept) a network can overflow: no class is then more likely than another.</summary>
    internal static RequestException NotFinite(string record) => new(422, "prediction-failed", "Prediction failed",
        $"the model's probabilities for {record} are not finite numbers: an input far outside the training data?");

    /// <summary>The model's outputs for <paramref name="features"/>: its own pass when it is alone in the server, else a
    /// place in the batcher's queue. Null when the client went away.</summary>
    private async ValueTask<float[]?> Outputs(HttpContext context, ServedModel model, Data.Pipeline.Features features, long started)
    {
        try
        {
            // Alone in the server, the request runs its own pass: no queue to join, no batch to wait for, no timer.
            if (Volatile.Read(ref _inFlight) == 1 && _batcher.TryRunAlone(model, features, out var alone)) return alone;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(_options.RequestTimeout);
            return await _batcher.Submit(model, features, started, timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new RequestException(504, "timeout", "Timeout", $"no prediction within {_options.RequestTimeout.TotalMilliseconds:0} ms (--timeout-ms); the request was dropped from the queue");
        }
        catch (Exception e) when (e is not RequestException)
        {
            _logger?.LogWarning(e, "the model failed on a request");
            throw new RequestException(422, "prediction-failed", "Prediction failed", $"the model failed on this input: {e.Message}");
        }
    }

    /// <summary>The length of a body the record path may read: JSON (no parameters but UTF-8's charset) of a known length up to
    /// <see cref="RecordRow.RecordPathBytes"/>; 0 for any other, which the table path reads and checks.</summary>
    private int PlainJsonLength(HttpRequest request)
    {
        var type = request.ContentType;
        var json = string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase)
                   || string.Equals(type, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase);
        // A body over --max-body-bytes is the table path's to refuse (413), whatever its size.
        return json && request.ContentLength is { } length and > 0 and <= RecordRow.RecordPathBytes && length <= _options.MaxBodyBytes ? (int)length : 0;
    }

    private static void Respond(HttpResponse response, ReadOnlySpan<byte> answer)
    {
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.ContentLength = answer.Length;
        response.BodyWriter.Write(answer);
    }

    private async Task<RequestRecords> ReadRecords(HttpContext context, ServedModel model)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var media))
            throw new RequestException(415, "unsupported-media-type", "Unsupported media type",
                context.Request.ContentType is null ? "no Content-Type: send application/json or text/csv" : $"'{context.Request.ContentType}' is not a media type: send application/json or text/csv");
        var json = media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
        var csv = media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase);
        if (!json && !csv)
            throw new RequestException(415, "unsupported-media-type", "Unsupported media type", $"'{media.MediaType}' is not taken: send application/json or text/csv");
        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            throw new RequestException(415, "unsupported-media-type", "Unsupported media type", $"charset '{media.Charset}' is not taken: send UTF-8");
        var body = await ReadBody(context);
        if (body.Length == 0) throw new RequestException(400, "malformed", "Empty body", "the body is empty: send one record or several");
        return json ? RequestRecords.FromJson(body, _options.MaxRecords) : RequestRecords.FromCsv(body, _options.MaxRecords, name => model.FieldNames.Contains(name) || model.IsIgnored(name));
    }

    private async Task<ReadOnlyMemory<byte>> ReadBody(HttpContext context)
    {
        var length = context.Request.ContentLength;
        if (length > _options.MaxBodyBytes)
            throw new RequestException(413, "too-large", "Body too large", $"{length} bytes; the server takes at most {_options.MaxBodyBytes} (--max-body-bytes)");
        var buffer = new MemoryStream(length is > 0 ? (int)length.Value : 4096);
        try
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413)
        {
            throw new RequestException(413, "too-large", "Body too large", $"the body is over {_options.MaxBodyBytes} bytes (--max-body-bytes)");
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private void CountPredictions(Predictions predictions)
    {
        if (predictions.Task == TaskKind.Classification)
            foreach (var label in predictions.Labels) _metrics.Predictions.WithLabels(label).Inc();
        else if (predictions.Task == TaskKind.Multilabel)
            for (var row = 0; row < predictions.Count; row++)
                for (var l = 0; l < predictions.Classes.Count; l++)
                    if (predictions.Has(row, l)) _metrics.Predictions.WithLabels(predictions.Classes[l]).Inc();
        else _metrics.Predictions.WithLabels("value").Inc(predictions.Count);
    }

    private Task Ready(HttpContext context)
    {
        var model = Model;
        if (model is null) return Problems.Write(context, 503, "not-ready", "Not ready", "no model is loaded");
        if (_batcher.Saturated)
        {
            context.Response.Headers.RetryAfter = "1";
            return Problems.Write(context, 503, "overloaded", "Saturated", $"{_batcher.QueuedRows} rows are queued, or requests were shed in the last second");
        }
        return WriteJson(context, 200, new { status = "ready", model_version = model.Version });
    }

    private async Task WithModel(HttpContext context, Func<ServedModel, Task> answer)
    {
        var model = Hold();
        if (model is null)
        {
            await Problems.Write(context, 503, "not-ready", "Not ready", "no model is loaded");
            return;
        }
        try
        {
            await answer(model);
        }
        finally
        {
            model.Release();
        }
    }

    private object Describe(ServedModel model)
    {
        var manifest = model.Bundle.Manifest;
        return new
        {
            model_version = model.Version,
            file = Path.GetFileName(model.Path),
            created = manifest.Created,
            lathe = manifest.Lathe,
            task = ConfigNames.Of(manifest.Task),
            target = manifest.Target,
            metric = ConfigNames.Of(manifest.Metric),
            outputs = manifest.Outputs,
            input = model.Fields.Select(f =>
            {
                var (low, high) = RecordTable.AcceptedRange(f);
                return new
                {
                    name = f.Name,
                    type = ConfigNames.Of(f.Type),
                    categories = f.Categories,
                    training_minimum = f.Minimum,
                    training_maximum = f.Maximum,
                    accepted_minimum = _options.RejectOutOfRange && double.IsFinite(low) ? low : (double?)null,
                    accepted_maximum = _options.RejectOutOfRange && double.IsFinite(high) ? high : (double?)null,
                    image_shape = f.Type == Data.Schema.ColumnType.Image ? new[] { model.ImageShape(f.Name).Channels, model.ImageShape(f.Name).Height, model.ImageShape(f.Name).Width } : null,
                };
            }),
            metrics = manifest.Metrics,
            // The temperature the logits are divided by (training.calibrate); null for a raw softmax or a regression.
            temperature = model.Bundle.Target.Temperature,
            unknown_categories = _options.RejectUnknownCategories ? "reject" : "accept",
            batching = new { max_batch_size = model.MaxBatchSize, chosen = _options.MaxBatchSize > 0 ? "--max-batch-size" : "timed at load", max_batch_delay_ms = _options.MaxBatchDelay.TotalMilliseconds, exact_batches = model.ExactBatches },
        };
    }

    private static Task WriteJson(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json.Options));
    }

    /// <summary>The model being served, held for one request; null when none is loaded.</summary>
    private ServedModel? Hold()
    {
        while (true)
        {
            var model = Volatile.Read(ref _model);
            if (model is null || model.TryHold()) return model;
        }
    }

    /// <summary>Loads the bundle from the server's own model path again; when it verifies and warms, swaps it in at once
    /// (requests in flight finish on the model they started with). A bundle that fails leaves the served model serving.</summary>
    public async Task<(bool Ok, string Detail)> ReloadAsync()
    {
        await _reloading.WaitAsync();
        try
        {
            ServedModel fresh;
            try
            {
                fresh = await Task.Run(() => ServedModel.Load(_options.ModelPath, _options.Threads, _options.MaxBatchSize, _options.ExactBatches));
            }
            catch (Exception e) when (e is LatheException or IOException or UnauthorizedAccessException)
            {
                _metrics.Reloads.WithLabels("failed").Inc();
                _logger?.LogWarning("reload of {Path} failed, the model {Version} keeps serving: {Message}", _options.ModelPath, Model?.Version, e.Message);
                return (false, $"{Path.GetFileName(_options.ModelPath)}: {e.Message}; model {Model?.Version} keeps serving");
            }
            UseRecordPath(fresh);
            var old = Interlocked.Exchange(ref _model, fresh);
            _metrics.Reloads.WithLabels("ok").Inc();
            if (old is not null && old.Version != fresh.Version) _metrics.ModelInfo.RemoveLabelled(old.Version);
            _metrics.ModelInfo.WithLabels(fresh.Version).Set(1);
            old?.Release();
            return (true, old?.Version == fresh.Version ? "the bundle is unchanged; reloaded" : $"now serving {fresh.Version} (was {old?.Version})");
        }
        finally
        {
            _reloading.Release();
        }
    }

    private void WatchModelFile()
    {
        var full = Path.GetFullPath(_options.ModelPath);
        _debounce = new Timer(_ => _ = ReloadIfChanged(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        // A bundle is written atomically (a new file renamed over the old one); wait for the writes to settle.
        FileSystemEventHandler changed = (_, _) => _debounce.Change(500, Timeout.Infinite);
        _watcher.Changed += changed;
        _watcher.Created += changed;
        _watcher.Renamed += (_, _) => _debounce.Change(500, Timeout.Infinite);
        _watcher.EnableRaisingEvents = true;
    }

    private async Task ReloadIfChanged()
    {
        try
        {
            var bytes = await File.ReadAllBytesAsync(_options.ModelPath);
            if (Convert.ToHexStringLower(SHA256.HashData(bytes))[..12] == Model?.Version) return;
        }
        catch (IOException)
        {
            // Gone or being replaced: the load below names what is wrong.
        }
        await ReloadAsync();
    }

    /// <summary>Stops listening after the requests in flight are answered, then ends the batch loop and the log.</summary>
    public async ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        if (_debounce is not null) await _debounce.DisposeAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _batcher.Dispose();
        _log?.Dispose();
        Interlocked.Exchange(ref _model, null)?.Release();
    }
}
