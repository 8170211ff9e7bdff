using System.CommandLine;
using Lathe.Config;
using Lathe.Serving;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe serve MODEL</c>: the bundle behind a REST server (see <see cref="LatheServer"/>) until Ctrl+C or SIGTERM,
/// which stop it after the requests in flight are answered.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServeOptions { ModelPath = "" };
        var model = new Argument<string>("model") { Description = "The model bundle (model.lathe). Reloaded when the file changes, and on POST /v1/admin/reload." };
        var urls = new Option<string>("--urls") { Description = "Where to listen, ';'-separated. Loopback unless told otherwise.", DefaultValueFactory = _ => defaults.Urls };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "A file holding the API key every route but /healthz and /readyz then asks for (X-API-Key or Authorization: Bearer)." };
        var maxBatch = new Option<int>("--max-batch-size") { Description = "Rows joined into one forward pass at most; 1 turns micro-batching off. 0 (the default): the size with the best rows/s, from passes of 1 to 64 rows timed as the model loads.", DefaultValueFactory = _ => defaults.MaxBatchSize };
        var exact = new Option<bool>("--exact-batches") { Description = "Pad every forward pass with zero rows to the batch size, so a row's outputs are bit for bit the same whether it came alone or with others (a lone request then costs a full pass)." };
        var delay = new Option<double>("--max-batch-delay-ms") { Description = "How long a batch waits for more requests; 0 takes what is queued at once.", DefaultValueFactory = _ => defaults.MaxBatchDelay.TotalMilliseconds };
        var maxQueue = new Option<int>("--max-queue") { Description = "Rows waiting for the model at most; more are shed with 503 and Retry-After.", DefaultValueFactory = _ => defaults.MaxQueue };
        var maxLatency = new Option<double>("--max-latency-ms") { Description = "A request whose estimated wait is longer is shed with 503.", DefaultValueFactory = _ => defaults.MaxLatency.TotalMilliseconds };
        var timeout = new Option<double>("--timeout-ms") { Description = "A request not answered in time gets 504.", DefaultValueFactory = _ => defaults.RequestTimeout.TotalMilliseconds };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "The largest request body (413 beyond).", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var maxRecords = new Option<int>("--max-records") { Description = "Records one request may carry (413 beyond).", DefaultValueFactory = _ => defaults.MaxRecords };
        var unknown = new Option<string>("--unknown-categories") { Description = "accept: a category unseen in training is encoded as none of the known ones (the bundle's encoding); reject: 400.", DefaultValueFactory = _ => "accept" };
        unknown.AcceptOnlyFromAmong("accept", "reject");
        var range = new Option<string>("--out-of-range") { Description = "reject: 400 for a number outside the training range widened by its width on each side; accept: any finite number.", DefaultValueFactory = _ => "reject" };
        range.AcceptOnlyFromAmong("accept", "reject");
        var log = new Option<string?>("--prediction-log") { Description = "Where every prediction (input, output, latency, model version) is logged: a folder of JSON Lines files (a new file every 64 MB), sqlite:PATH or postgres:CONNECTION (a table lathe_predictions, created when missing)." };
        var noWatch = new Option<bool>("--no-watch") { Description = "Do not reload when the bundle file changes." };
        var threads = new Option<int>("--threads") { Description = "libtorch threads per forward pass (a lone row of up to 1,024 values runs on one); 0: every core.", DefaultValueFactory = _ => defaults.Threads };
        var command = new Command("serve", "Serve a model over HTTP: POST /v1/predict (JSON or CSV), /healthz, /readyz, /metrics, /v1/model, /openapi.json.")
        {
            model, urls, apiKeyFile, maxBatch, exact, delay, maxQueue, maxLatency, timeout, maxBody, maxRecords, unknown, range, log, noWatch, threads,
        };
        command.SetAction((result, token) => Verb.Run(cancel =>
        {
            string? key = null;
            if (result.GetValue(apiKeyFile) is { } keyFile)
            {
                if (!File.Exists(keyFile)) throw new LatheException($"--api-key-file: '{keyFile}' does not exist");
                key = File.ReadAllText(keyFile).Trim();
                if (key.Length < 16) throw new LatheException($"--api-key-file: the key in '{keyFile}' is {key.Length} characters; use at least 16 (e.g. `openssl rand -hex 32 > {keyFile}`)");
            }
            if (result.GetValue(maxBatch) < 0) throw new LatheException("--max-batch-size must be 0 (timed as the model loads) or more");
            Positive(result.GetValue(maxQueue), "--max-queue");
            Positive(result.GetValue(maxRecords), "--max-records");
            Positive(result.GetValue(maxBody), "--max-body-bytes");
            Positive(result.GetValue(timeout), "--timeout-ms");
            Positive(result.GetValue(maxLatency), "--max-latency-ms");
            if (result.GetValue(threads) < 0) throw new LatheException("--threads must be 0 (every core) or more");
            if (result.GetValue(delay) < 0) throw new LatheException("--max-batch-delay-ms must be 0 or more");
            var options = new ServeOptions
            {
                ModelPath = result.GetValue(model)!,
                Urls = result.GetValue(urls)!,
                ApiKey = key,
                MaxBatchSize = result.GetValue(maxBatch),
                ExactBatches = result.GetValue(exact),
                MaxBatchDelay = TimeSpan.FromMilliseconds(result.GetValue(delay)),
                MaxQueue = result.GetValue(maxQueue),
                MaxLatency = TimeSpan.FromMilliseconds(result.GetValue(maxLatency)),
                RequestTimeout = TimeSpan.FromMilliseconds(result.GetValue(timeout)),
                MaxBodyBytes = result.GetValue(maxBody),
                MaxRecords = result.GetValue(maxRecords),
                RejectUnknownCategories = result.GetValue(unknown) == "reject",
                RejectOutOfRange = result.GetValue(range) == "reject",
                PredictionLog = result.GetValue(log),
                Watch = !result.GetValue(noWatch),
                Threads = result.GetValue(threads),
            };
            // Socket completions run on the epoll thread instead of being posted to the thread pool; .NET reads this once,
            // as the process makes its first socket, so it is set here, before the server listens. With the server's
            // inline scheduling a lone request is then read, predicted and answered on one thread: on this project's
            // two-core machine, one request at a time every millisecond was answered in 0.09 ms (p50) instead of 0.21,
            // with a p99 of 0.41–0.64 ms instead of 0.97–1.12 (docs/serving.md, "One connection, 2026-12-04"). A value the user
            // set is kept (0 turns it off).
            if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null) Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
            LatheServer server;
            try
            {
                server = LatheServer.StartAsync(options, cancel).GetAwaiter().GetResult();
            }
            catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
            {
                throw new LatheException($"--urls {options.Urls}: cannot listen there ({e.Message})");
            }
            var served = server.Model!;
            Verb.Out.MarkupLine($"Serving [bold]{Markup.Escape(Path.GetFileName(options.ModelPath))}[/] (version {served.Version}, {ConfigNames.Of(served.Bundle.Manifest.Task)} of '{Markup.Escape(served.Bundle.Manifest.Target)}') on [bold]{Markup.Escape(string.Join(", ", server.Addresses))}[/]");
            Verb.Out.MarkupLine($"POST /v1/predict · GET /v1/model /openapi.json /healthz /readyz /metrics · micro-batches of {(served.ExactBatches ? "exactly" : "up to")} {served.MaxBatchSize} rows{(key is null ? "" : " · API key required")}. Ctrl+C stops.");
            if (key is null && !server.Addresses.All(IsLoopback))
                Verb.Out.MarkupLine("[yellow]warning:[/] listening beyond loopback without an API key (--api-key-file)");
            try
            {
                server.WaitForShutdownAsync(cancel).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: stop below, after the requests in flight.
            }
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Verb.Out.MarkupLine("Stopped.");
            return 0;
        }, token));
        return command;
    }

    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static void Positive(double value, string option)
    {
        if (!(value > 0)) throw new LatheException($"{option} must be more than 0 (got {value})");
    }

    private static bool IsLoopback(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host is "127.0.0.1" or "[::1]");
}
