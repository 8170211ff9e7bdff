using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

// Open-loop load against `lathe serve` for the reliability checks a closed-loop tool like wrk cannot make: requests
// leave at a fixed rate whatever pace the answers come back at, so an overloaded server meets more work than it can
// take instead of slowing its clients down. Each mode prints what it saw and one line per criterion of
// ../shared/research/reliability.md, and exits 1 when any fails.
//
//   overload BASE BODY RATE SECONDS [MAX_LATENCY_MS]
//       R22: RATE requests a second for SECONDS, /readyz probed every 100 ms throughout and after.
//   reload BASE BODY RATE SERVED RELOADS VALID_A VALID_B CORRUPT_A CORRUPT_B
//       R24: RATE requests a second while RELOADS reloads alternate valid and corrupt bundles, each moved over
//       SERVED (the server's bundle path) and applied with POST /v1/admin/reload.
var culture = CultureInfo.InvariantCulture;
CultureInfo.DefaultThreadCurrentCulture = culture;
CultureInfo.CurrentCulture = culture;

try
{
    return args switch
    {
        ["overload", var baseUrl, var body, var rate, var seconds, .. var rest] when rest.Length <= 1 =>
            await Overload.Run(new Uri(baseUrl), File.ReadAllBytes(body), double.Parse(rate, culture), double.Parse(seconds, culture),
                rest.Length == 1 ? double.Parse(rest[0], culture) : 200),
        ["reload", var baseUrl, var body, var rate, var served, var reloads, var validA, var validB, var corruptA, var corruptB] =>
            await Reload.Run(new Uri(baseUrl), File.ReadAllBytes(body), double.Parse(rate, culture), served, int.Parse(reloads, culture),
                [File.ReadAllBytes(validA), File.ReadAllBytes(validB)], [File.ReadAllBytes(corruptA), File.ReadAllBytes(corruptB)]),
        _ => Usage(),
    };
}
catch (Exception e) when (e is FormatException or IOException or UriFormatException or HttpRequestException)
{
    Console.Error.WriteLine($"lathe-load: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: overload BASE BODY RATE SECONDS [MAX_LATENCY_MS]\n"
                            + "       reload BASE BODY RATE SERVED RELOADS VALID_A VALID_B CORRUPT_A CORRUPT_B");
    return 2;
}

/// <summary>One request's fate: its HTTP status (0: no answer, -1: never sent because too many were in flight), when
/// it was due, sent and answered (ms from the start), and what was wrong with the answer, if anything.</summary>
internal readonly record struct Answer(int Status, double DueMs, double SentMs, double DoneMs, string? Fault)
{
    public double Latency => DoneMs - SentMs;
}

/// <summary>POSTs one body at a fixed rate until stopped. Latency is counted from when a request was sent; the schedule
/// never waits for answers (up to <see cref="MaxInFlight"/> outstanding, past which a due request is skipped and
/// counted, so the driver's own limit shows instead of hiding as a slower rate).</summary>
internal sealed class OpenLoad(HttpClient client, Uri target, byte[] body, double rate, Func<int, HttpResponseMessage, string, string?> check)
{
    public const int MaxInFlight = 8192;
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Answer> _answers = [];
    private readonly Lock _gate = new();
    private int _inFlight;

    public double NowMs => _clock.Elapsed.TotalMilliseconds;

    /// <summary>Sends until <paramref name="stop"/> fires, then waits for every answer.</summary>
    public async Task<List<Answer>> RunAsync(CancellationToken stop)
    {
        await Task.Factory.StartNew(() =>
        {
            var start = NowMs;
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                var due = start + i * 1000.0 / rate;
                // Sleeping, not spinning: requests due within the same millisecond leave together, and the driver
                // leaves its core to the answers.
                while (NowMs < due && !stop.IsCancellationRequested) Thread.Sleep(1);
                if (stop.IsCancellationRequested) break;
                if (Volatile.Read(ref _inFlight) >= MaxInFlight)
                {
                    Record(new Answer(-1, due, due, due, null));
                    continue;
                }
                Interlocked.Increment(ref _inFlight);
                _ = Send(due);
            }
        }, TaskCreationOptions.LongRunning);
        // No list of the sends' tasks: a minute at tens of thousands a second would hold a million of them.
        while (Volatile.Read(ref _inFlight) > 0) await Task.Delay(10);
        lock (_gate) return [.. _answers.OrderBy(a => a.DueMs)];
    }

    private async Task Send(double due)
    {
        var sent = NowMs;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = Json;
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Record(new Answer(status, due, sent, NowMs, check(status, response, text)));
        }
        catch (Exception e)
        {
            // Recorded, not thrown: a send nobody awaits must not lose what went wrong.
            Record(new Answer(0, due, sent, NowMs, $"{e.GetType().Name}: {e.Message}"));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Record(Answer answer)
    {
        lock (_gate) _answers.Add(answer);
    }

    public static HttpClient Client(Uri baseUrl) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = int.MaxValue,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The <c>type</c> of a problem-details body, or null when the body is not one.</summary>
    public static string? ProblemType(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("type", out var type) ? type.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The figures both modes print.</summary>
internal static class Summary
{
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];

    public static void Statuses(IReadOnlyList<Answer> answers, double seconds)
    {
        var sent = answers.Count(a => a.Status != -1);
        Console.WriteLine($"requests: {answers.Count:N0} due, {sent:N0} sent ({sent / seconds:N0} a second), "
                          + $"{answers.Count(a => a.Status == -1):N0} skipped with {OpenLoad.MaxInFlight:N0} in flight; "
                          + $"this driver used {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds / seconds:P0} of a core");
        Console.WriteLine("answers by status: " + string.Join(", ", answers.Where(a => a.Status != -1).GroupBy(a => a.Status).OrderBy(g => g.Key)
            .Select(g => $"{(g.Key == 0 ? "no answer" : g.Key.ToString(CultureInfo.InvariantCulture))} × {g.Count():N0}")));
        var faults = answers.Where(a => a.Fault is not null).GroupBy(a => a.Fault).OrderByDescending(g => g.Count()).Take(5).ToList();
        foreach (var fault in faults) Console.WriteLine($"  fault × {fault.Count():N0}: {fault.Key}");
    }

    public static string Latencies(IEnumerable<Answer> answers)
    {
        var sorted = answers.Select(a => a.Latency).Order().ToList();
        return sorted.Count == 0 ? "none" : $"p50 {Percentile(sorted, 50):F1} ms, p99 {Percentile(sorted, 99):F1} ms, max {sorted[^1]:F1} ms ({sorted.Count:N0})";
    }

    /// <summary>A Prometheus sample's value from <c>GET /metrics</c> (0 when absent).</summary>
    public static async Task<double> Metric(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("/metrics");
        foreach (var line in text.Split('\n'))
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
                return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
        return 0;
    }

    /// <summary>The status of a GET, 0 when none came back.</summary>
    public static async Task<int> Status(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    public static bool Verdict(string criterion, bool pass)
    {
        Console.WriteLine($"{(pass ? "PASS" : "FAIL")}  {criterion}");
        return pass;
    }
}

/// <summary>R22: more requests than the server can take, for a minute. Every answer must be 200 or a 503 with
/// Retry-After and the <c>/problems/overloaded</c> body; the accepted ones within the latency bound plus one forward
/// pass; <c>/readyz</c> 503 while saturated and 200 within 5 s of the load stopping.</summary>
internal static class Overload
{
    public static async Task<int> Run(Uri baseUrl, byte[] body, double rate, double seconds, double maxLatencyMs)
    {
        using var client = OpenLoad.Client(baseUrl);
        var passesBefore = await Summary.Metric(client, "lathe_forward_seconds_count");
        var passSecondsBefore = await Summary.Metric(client, "lathe_forward_seconds_sum");
        var shedBefore = await Summary.Metric(client, "lathe_shed_requests_total");
        var load = new OpenLoad(client, new Uri(baseUrl, "/v1/predict"), body, rate, (status, response, text) => status switch
        {
            200 => text.Contains("\"prediction\"", StringComparison.Ordinal) ? null : "200 without a prediction",
            503 when response.Headers.RetryAfter is null => "503 without Retry-After",
            503 => OpenLoad.ProblemType(response, text) == "/problems/overloaded" ? null : $"503 of type {OpenLoad.ProblemType(response, text) ?? "(not problem details)"}",
            _ => $"status {status}",
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var readiness = new List<(double At, int Status)>();
        var probe = Task.Run(async () =>
        {
            using var prober = OpenLoad.Client(baseUrl);
            while (!stop.IsCancellationRequested)
            {
                readiness.Add((load.NowMs, await Summary.Status(prober, "/readyz")));
                await Task.Delay(100);
            }
        });
        var answers = await load.RunAsync(stop.Token);
        await probe;
        if (Environment.GetEnvironmentVariable("LOAD_DUMP") is { Length: > 0 } dump)
            File.WriteAllLines(dump, answers.Select(a => $"{a.Status},{a.DueMs:F1},{a.SentMs:F1},{a.DoneMs:F1}"));

        var quiet = Stopwatch.StartNew();
        var readyAfter = double.NaN;
        while (quiet.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await Summary.Status(client, "/readyz") == 200)
            {
                readyAfter = quiet.Elapsed.TotalSeconds;
                break;
            }
            await Task.Delay(100);
        }

        var passes = await Summary.Metric(client, "lathe_forward_seconds_count") - passesBefore;
        var passMs = passes == 0 ? 0 : (await Summary.Metric(client, "lathe_forward_seconds_sum") - passSecondsBefore) / passes * 1000;
        var shed = await Summary.Metric(client, "lathe_shed_requests_total") - shedBefore;
        var accepted = answers.Where(a => a.Status == 200).ToList();
        var acceptedP99 = Summary.Percentile(accepted.Select(a => a.Latency).Order().ToList(), 99);
        var underLoad = readiness.Where(r => r.At > 1000).ToList();

        Console.WriteLine($"open loop: {rate:N0} requests a second for {seconds:N0} s");
        Summary.Statuses(answers, seconds);
        Console.WriteLine($"accepted (200) latency from sending: {Summary.Latencies(accepted)}");
        Console.WriteLine($"shed (503) latency from sending: {Summary.Latencies(answers.Where(a => a.Status == 503))}");
        Console.WriteLine($"server: {passes:N0} forward passes, {passMs:F2} ms each on average, {shed:N0} requests shed");
        Console.WriteLine($"/readyz after the first second: {underLoad.Count(r => r.Status == 503)} × 503, {underLoad.Count(r => r.Status == 200)} × 200 "
                          + $"of {underLoad.Count} probes; 200 again {readyAfter:F1} s after the load stopped");
        var ok = true;
        ok &= Summary.Verdict("every answer 200 or 503", answers.All(a => a.Status is 200 or 503 or -1));
        ok &= Summary.Verdict("every answer well formed (503: Retry-After and /problems/overloaded)", answers.All(a => a.Fault is null));
        ok &= Summary.Verdict("the server was overloaded (some 503)", answers.Any(a => a.Status == 503));
        ok &= Summary.Verdict($"accepted p99 {acceptedP99:F1} ms ≤ {maxLatencyMs:N0} ms + one pass ({passMs:F1} ms)", acceptedP99 <= maxLatencyMs + passMs);
        ok &= Summary.Verdict("/readyz 503 while saturated", underLoad.Any(r => r.Status == 503));
        ok &= Summary.Verdict("/readyz 200 within 5 s after the load", readyAfter <= 5);
        ok &= Summary.Verdict($"the server's shed count ({shed:N0}) equals the 503s seen", shed == answers.Count(a => a.Status == 503));
        return ok ? 0 : 1;
    }
}

/// <summary>R24: reloads under load. Valid and corrupt bundles take turns over the served file, each followed by an
/// admin reload; no request may fail, a corrupt bundle must be refused (422 <c>/problems/reload-failed</c>) with the
/// old model still answering, and <c>/readyz</c> must stay 200 (a model is loaded throughout).</summary>
internal static class Reload
{
    public static async Task<int> Run(Uri baseUrl, byte[] body, double rate, string served, int reloads, byte[][] valid, byte[][] corrupt)
    {
        using var client = OpenLoad.Client(baseUrl);
        var okBefore = await Summary.Metric(client, "lathe_model_reloads_total{result=\"ok\"}");
        var failedBefore = await Summary.Metric(client, "lathe_model_reloads_total{result=\"failed\"}");
        var versions = new Dictionary<string, int>();
        var load = new OpenLoad(client, new Uri(baseUrl, "/v1/predict"), body, rate, (status, _, text) =>
        {
            if (status != 200) return $"{status}: {(text.Length > 200 ? text[..200] : text)}";
            using var answer = JsonDocument.Parse(text);
            var version = answer.RootElement.GetProperty("model_version").GetString()!;
            lock (versions) versions[version] = versions.GetValueOrDefault(version) + 1;
            return null;
        });
        using var stop = new CancellationTokenSource();
        var readiness = new List<int>();
        var probe = Task.Run(async () =>
        {
            using var prober = OpenLoad.Client(baseUrl);
            while (!stop.IsCancellationRequested)
            {
                readiness.Add(await Summary.Status(prober, "/readyz"));
                await Task.Delay(20);
            }
        });
        var sending = load.RunAsync(stop.Token);

        var clock = Stopwatch.StartNew();
        var wrong = new List<string>();
        var reloadMs = new List<double>();
        var current = Version(await File.ReadAllBytesAsync(served));
        await Task.Delay(1000);
        for (var i = 0; i < reloads; i++)
        {
            var good = i % 2 == 0;
            var bytes = good ? valid[(i / 2 + 1) % 2] : corrupt[i / 2 % 2];
            Place(served, bytes);
            var timer = Stopwatch.StartNew();
            using var reload = await client.PostAsync("/v1/admin/reload", null);
            reloadMs.Add(timer.Elapsed.TotalMilliseconds);
            var text = await reload.Content.ReadAsStringAsync();
            if (good)
            {
                if ((int)reload.StatusCode != 200) wrong.Add($"reload {i} (valid): {(int)reload.StatusCode} {text}");
                else current = Version(bytes);
            }
            else if ((int)reload.StatusCode != 422 || OpenLoad.ProblemType(reload, text) != "/problems/reload-failed")
                wrong.Add($"reload {i} (corrupt): {(int)reload.StatusCode} {text}");
            using var model = JsonDocument.Parse(await client.GetStringAsync("/v1/model"));
            var servedVersion = model.RootElement.GetProperty("model_version").GetString();
            if (servedVersion != current) wrong.Add($"after reload {i} ({(good ? "valid" : "corrupt")}) the server reports {servedVersion}, not {current}");
            await Task.Delay(100);
        }
        await Task.Delay(1000);
        var seconds = clock.Elapsed.TotalSeconds;
        stop.Cancel();
        var answers = await sending;
        await probe;

        var ok = await Summary.Metric(client, "lathe_model_reloads_total{result=\"ok\"}") - okBefore;
        var failed = await Summary.Metric(client, "lathe_model_reloads_total{result=\"failed\"}") - failedBefore;
        var validVersions = valid.Select(Version).ToHashSet();
        reloadMs.Sort();
        Console.WriteLine($"open loop: {rate:N0} requests a second for {seconds:F1} s, {reloads} reloads ({reloads - reloads / 2} valid, {reloads / 2} corrupt)");
        Summary.Statuses(answers, seconds);
        Console.WriteLine($"latency from sending: {Summary.Latencies(answers.Where(a => a.Status == 200))}");
        Console.WriteLine($"answers by model version: {string.Join(", ", versions.Select(v => $"{v.Key} × {v.Value:N0}"))}");
        Console.WriteLine($"POST /v1/admin/reload: p50 {Summary.Percentile(reloadMs, 50):F0} ms, max {reloadMs[^1]:F0} ms; server counted {ok} ok, {failed} failed");
        Console.WriteLine($"/readyz: {readiness.Count(s => s == 200)} × 200 of {readiness.Count} probes");
        foreach (var line in wrong.Take(10)) Console.WriteLine($"  {line}");
        var pass = true;
        pass &= Summary.Verdict("0 failed requests", answers.All(a => a.Status is 200 or -1) && answers.All(a => a.Fault is null));
        pass &= Summary.Verdict("valid bundles served, corrupt ones refused with the old model serving", wrong.Count == 0);
        pass &= Summary.Verdict($"the server counted {reloads - reloads / 2} ok and {reloads / 2} failed reloads", ok == reloads - reloads / 2 && failed == reloads / 2);
        pass &= Summary.Verdict("every answer came from a valid bundle", versions.Keys.All(validVersions.Contains));
        pass &= Summary.Verdict("/readyz 200 throughout", readiness.Count > 0 && readiness.All(s => s == 200));
        return pass ? 0 : 1;
    }

    private static string Version(byte[] bundle) => Convert.ToHexStringLower(SHA256.HashData(bundle))[..12];

    /// <summary>The bundle moved over the served path in one rename, as a deployment would.</summary>
    private static void Place(string served, byte[] bytes)
    {
        var temporary = served + ".incoming";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, served, overwrite: true);
    }
}
