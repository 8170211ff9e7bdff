using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Serving;
using Lathe.Training;
using Xunit.Abstractions;

namespace Lathe.Tests.Serving;

/// <summary>R19–R24 and R26 of reliability.md at their T1 figures, against a real server on a loopback port serving the
/// penguins bundle: fuzzed requests, Kestrel's limits on raw sockets, timeouts, overload, batch isolation and
/// equivalence, reload under load, secure defaults. No timing is asserted beyond generous bounds (two loaded cores).</summary>
[Collection(PenguinsCollection.Name)]
public sealed class ReliabilityTests(PenguinsRun run, ITestOutputHelper output)
{
    private const string Json = "application/json";

    // R19

    /// <summary>R19's request count: 1,000 in the suite (T1), 10,000 with <c>LATHE_RELIABILITY=t2</c> (the plan's T2 run:
    /// <c>LATHE_RELIABILITY=t2 dotnet test --filter FullyQualifiedName~fuzzed_requests</c>).</summary>
    private static int FuzzedRequests => Environment.GetEnvironmentVariable("LATHE_RELIABILITY") == "t2" ? 10_000 : 1000;

    [Fact]
    public async Task A_thousand_fuzzed_requests_get_problem_details_and_never_a_server_error()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        var fields = await Fields(server);
        var attacks = Attacks(fields, new Random(19), FuzzedRequests);
        var results = new (int Status, string Type, string Detail)[attacks.Count];
        await ForEach(attacks.Count, 4, async i => results[i] = await Send(server, attacks[i]));

        var wrong = new List<string>();
        for (var i = 0; i < attacks.Count; i++)
            if (!attacks[i].Expected.Contains(results[i].Status) || (attacks[i].Type is { } type && results[i].Type != $"/problems/{type}"))
                wrong.Add($"#{i} {attacks[i].Kind}: {results[i].Status} {results[i].Type} (expected {string.Join("/", attacks[i].Expected)} {attacks[i].Type}) {results[i].Detail}");
        foreach (var group in attacks.Select((a, i) => (a.Kind, results[i].Status)).GroupBy(r => r.Kind).OrderBy(g => g.Key))
            output.WriteLine($"{group.Key,-22} {group.Count(),4} requests: {string.Join(", ", group.GroupBy(r => r.Status).OrderBy(s => s.Key).Select(s => $"{s.Count()} × {s.Key}"))}");
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {attacks.Count} answered otherwise:\n{string.Join("\n", wrong.Take(20))}");
        Assert.Equal(FuzzedRequests, attacks.Count);
        Assert.True(attacks.Count(a => a.Kind == "valid") >= attacks.Count * 9 / 100);
        Assert.DoesNotContain(results, r => r.Status >= 500);

        using var health = await server.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await server.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var after = await server.PostJson(TestServer.Json(TestServer.Record(run.Result.TestRows, 0)));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    /// <summary>One fuzzed request: what it does wrong, and the statuses it may get.</summary>
    private sealed record Attack(string Kind, byte[] Body, string? ContentType, int[] Expected, string Method = "POST", string Path = "/v1/predict")
    {
        /// <summary>The problem type it must get, where only one fits.</summary>
        public string? Type { get; init; }
    }

    private sealed record Field(string Name, string Type, string[]? Categories, double Low, double High);

    /// <summary>The model's input fields as <c>GET /v1/model</c> gives them.</summary>
    private static async Task<Field[]> Fields(TestServer server)
    {
        using var document = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/model"));
        double Number(JsonElement field, string name, double otherwise) =>
            field.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : otherwise;
        return document.RootElement.GetProperty("input").EnumerateArray().Select(f => new Field(
            f.GetProperty("name").GetString()!,
            f.GetProperty("type").GetString()!,
            f.TryGetProperty("categories", out var c) && c.ValueKind == JsonValueKind.Array ? c.EnumerateArray().Select(e => e.GetString()!).ToArray() : null,
            Number(f, "training_minimum", 0), Number(f, "training_maximum", 1))).ToArray();
    }

    /// <summary>A record the schema accepts: numbers inside the training range, known categories.</summary>
    private static JsonObject Valid(Field[] fields, Random random)
    {
        var record = new JsonObject();
        foreach (var field in fields)
            record[field.Name] = field.Type == "numeric"
                ? JsonValue.Create(Math.Round(field.Low + random.NextDouble() * (field.High - field.Low), 2))
                : JsonValue.Create(field.Categories is { Length: > 0 } categories ? categories[random.Next(categories.Length)] : "x");
        return record;
    }

    /// <summary><paramref name="count"/> requests: every tenth valid, the rest each broken one way, drawn with
    /// <paramref name="random"/>; the few very large bodies are made once and sent at fixed places.</summary>
    private static List<Attack> Attacks(Field[] fields, Random random, int count)
    {
        byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        int[] bad = [400];
        var numeric = fields.Where(f => f.Type == "numeric").ToArray();
        var others = fields.Where(f => f.Type != "numeric").ToArray();
        Field Any() => fields[random.Next(fields.Length)];
        Field AnyNumber() => numeric[random.Next(numeric.Length)];
        string With(Field field, string literal)
        {
            var record = Valid(fields, random);
            record[field.Name] = "\u0001";
            return record.ToJsonString().Replace("\"\\u0001\"", literal);
        }
        string Garbage(string alphabet, int length) => new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

        var mutators = new List<(string Kind, Func<Attack> Make)>
        {
            ("wrong type", () =>
            {
                var field = Any();
                string[] literals = field.Type == "numeric" ? ["\"twelve\"", "true", "false", "{}", "[1,2]", "\"1.2.3\"", "{\"value\":1}"] : ["{}", "[]", "[\"a\"]", "{\"a\":\"b\"}"];
                return new Attack("wrong type", Utf8(With(field, literals[random.Next(literals.Length)])), Json, bad) { Type = "invalid-input" };
            }),
            ("missing field", () =>
            {
                var record = Valid(fields, random);
                record.Remove(Any().Name);
                return new Attack("missing field", Utf8(record.ToJsonString()), Json, bad) { Type = "invalid-input" };
            }),
            ("extra field", () =>
            {
                var record = Valid(fields, random);
                record[$"extra_{random.Next(1000)}"] = random.Next(2) == 0 ? JsonValue.Create(1.5) : JsonValue.Create("x");
                return new Attack("extra field", Utf8(record.ToJsonString()), Json, bad) { Type = "invalid-input" };
            }),
            ("nan/infinity", () =>
            {
                string[] literals = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "\"Infinity\"", "\"-Infinity\"", "1e309"];
                return new Attack("nan/infinity", Utf8(With(AnyNumber(), literals[random.Next(literals.Length)])), Json, bad);
            }),
            ("out of range", () => new Attack("out of range", Utf8(With(AnyNumber(), random.Next(2) == 0 ? "1e9" : "-123456789.5")), Json, bad) { Type = "invalid-input" }),
            ("deep nesting", () =>
            {
                var depth = 10_000;
                var nested = new string('[', depth) + new string(']', depth);
                return new Attack("deep nesting", Utf8(random.Next(2) == 0 ? nested : With(Any(), nested)), Json, bad);
            }),
            ("invalid utf-8", () =>
            {
                var text = With(others.Length > 0 ? others[random.Next(others.Length)] : Any(), "\"@@\"");
                byte[][] invalid = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]];
                var at = text.IndexOf("@@", StringComparison.Ordinal);
                var body = Utf8(text[..at]).Concat(invalid[random.Next(invalid.Length)]).Concat(Utf8(text[(at + 2)..])).ToArray();
                return random.Next(4) == 0
                    ? new Attack("invalid utf-8", [.. Utf8(string.Join(",", fields.Select(f => f.Name)) + "\n"), 0xFF, 0xFE, (byte)',', 0xC0, 0x80, (byte)'\n'], "text/csv", bad) { Type = "malformed" }
                    : new Attack("invalid utf-8", body, Json, bad) { Type = "malformed" };
            }),
            ("lone surrogate", () => new Attack("lone surrogate", Utf8(With(others.Length > 0 ? others[random.Next(others.Length)] : Any(), random.Next(2) == 0 ? "\"\\ud800\"" : "\"a\\udfffb\"")), Json, bad) { Type = "malformed" }),
            ("content type", () =>
            {
                string?[] types = [null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "garbage", "image/png"];
                return new Attack("content type", Utf8(Valid(fields, random).ToJsonString()), types[random.Next(types.Length)], [415]) { Type = "unsupported-media-type" };
            }),
            ("empty body", () => new Attack("empty body", [], random.Next(2) == 0 ? Json : "text/csv", bad)),
            ("truncated json", () =>
            {
                var text = Utf8(Valid(fields, random).ToJsonString());
                return new Attack("truncated json", text[..random.Next(1, text.Length)], Json, bad);
            }),
            ("binary garbage", () =>
            {
                var bytes = new byte[random.Next(1, 512)];
                random.NextBytes(bytes);
                return new Attack("binary garbage", bytes, random.Next(2) == 0 ? Json : "text/csv", bad);
            }),
            ("csv garbage", () =>
            {
                var header = random.Next(2) == 0 ? string.Join(",", fields.Select(f => f.Name)) + "\n" : "";
                return new Attack("csv garbage", Utf8(header + Garbage("ab1.5,\"\n\r ;-", random.Next(1, 300))), "text/csv", bad);
            }),
            ("not a record", () =>
            {
                string[] roots = ["42", "\"record\"", "null", "true", "[]", "[1,2,3]", "[{}]", "[[]]", "{}"];
                return new Attack("not a record", Utf8(roots[random.Next(roots.Length)]), Json, bad);
            }),
            ("duplicate field", () =>
            {
                var text = Valid(fields, random).ToJsonString();
                var field = Any();
                return new Attack("duplicate field", Utf8(text[..^1] + $",{JsonSerializer.Serialize(field.Name)}:null}}"), Json, bad);
            }),
            ("too many records", () =>
            {
                var records = new JsonArray(Enumerable.Range(0, 1025).Select(_ => (JsonNode)Valid(fields, random)).ToArray());
                return new Attack("too many records", Utf8(records.ToJsonString()), Json, [413]) { Type = "too-many-records" };
            }),
            ("route or method", () => random.Next(3) switch
            {
                0 => new Attack("route or method", [], null, [405], "GET"),
                1 => new Attack("route or method", Utf8(Valid(fields, random).ToJsonString()), Json, [405], "PUT"),
                _ => new Attack("route or method", Utf8(Valid(fields, random).ToJsonString()), Json, [404], "POST", "/v1/predict/../admin"),
            }),
        };

        // Very large bodies: several MB in one field (under the 8 MB limit), and one over the limit.
        var huge = new string('7', 3 << 20);
        var fixedAttacks = new Dictionary<int, Attack>
        {
            [101] = new("huge string", Utf8(With(AnyNumber(), $"\"{huge}\"")), Json, bad) { Type = "invalid-input" },
            [303] = new("huge string", Utf8(With(Any(), $"\"{huge[..(5 << 20 >> 1)]}x\"").Replace("}", $",\"{huge[..(1 << 20)]}\":1}}")), Json, bad) { Type = "invalid-input" },
            [505] = new("huge string", Utf8("[" + string.Join(",", Enumerable.Repeat(With(AnyNumber(), $"\"{huge[..(1 << 20)]}\""), 3)) + "]"), Json, bad) { Type = "invalid-input" },
            [707] = new("over body limit", Utf8(With(AnyNumber(), $"\"{huge}{huge}{huge}\"")), Json, [413]) { Type = "too-large" },
        };

        var attacks = new List<Attack>(count);
        for (var i = 0; i < count; i++)
        {
            if (fixedAttacks.TryGetValue(i, out var fixedAttack)) attacks.Add(fixedAttack);
            else if (i % 10 == 0) attacks.Add(new Attack("valid", Utf8(Valid(fields, random).ToJsonString()), Json, [200]));
            else attacks.Add(mutators[random.Next(mutators.Count)].Make());
        }
        return attacks;
    }

    /// <summary>Sends one request; any answer but 200 must be problem details whose <c>status</c> is the HTTP status.</summary>
    private static async Task<(int Status, string Type, string Detail)> Send(TestServer server, Attack attack)
    {
        using var request = new HttpRequestMessage(new HttpMethod(attack.Method), attack.Path);
        if (attack.Method != "GET")
        {
            request.Content = new ByteArrayContent(attack.Body);
            if (attack.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", attack.ContentType);
        }
        // A client that sends Expect: 100-continue hears 413 before it sends a body over the limit.
        if (attack.Body.Length > 1 << 20) request.Headers.ExpectContinue = true;
        using var response = await server.Client.SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status == 200)
        {
            using var answer = JsonDocument.Parse(text);
            return answer.RootElement.TryGetProperty("prediction", out _) ? (200, "", "") : (-1, "", $"200 without a prediction: {Clip(text)}");
        }
        if (response.Content.Headers.ContentType?.MediaType != Problems.ContentType)
            return (-1, "", $"{status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {Clip(text)}");
        using var problem = JsonDocument.Parse(text);
        var body = problem.RootElement;
        if (!body.TryGetProperty("type", out var type) || !type.GetString()!.StartsWith("/problems/", StringComparison.Ordinal)
            || !body.TryGetProperty("title", out var title) || string.IsNullOrEmpty(title.GetString())
            || !body.TryGetProperty("status", out var code) || code.GetInt32() != status)
            return (-1, "", $"{status} with an incomplete problem: {Clip(text)}");
        return (status, type.GetString()!, body.TryGetProperty("detail", out var detail) ? Clip(detail.GetString() ?? "") : "");
    }

    // R20

    [Fact]
    public async Task Kestrel_limits_refuse_large_bodies_and_headers_and_close_a_trickling_client()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with { MaxBodyBytes = 1000 });
        var record = TestServer.Json(TestServer.Record(run.Result.TestRows, 0));
        var exact = record + new string(' ', 1000 - Encoding.UTF8.GetByteCount(record));

        var atLimit = await Raw(server.Address, Request("POST", $"Content-Type: application/json\r\nContent-Length: 1000\r\n", exact));
        Assert.Equal(200, Status(atLimit));
        var overLimit = await Raw(server.Address, Request("POST", "Content-Type: application/json\r\nContent-Length: 1001\r\n", exact + " "));
        Assert.Equal(413, Status(overLimit));
        Assert.Contains("application/problem+json", overLimit);
        Assert.Contains("/problems/too-large", overLimit);
        // Chunked: no length to check first; Kestrel stops the read at the limit.
        var chunked = $"{1001:x}\r\n{exact} \r\n0\r\n\r\n";
        var overChunked = await Raw(server.Address, Request("POST", "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", chunked));
        Assert.Equal(413, Status(overChunked));
        Assert.Contains("/problems/too-large", overChunked);

        // Host and Connection and 99 more: 101 headers; 98 more: 100, the most Kestrel takes.
        var manyHeaders = string.Concat(Enumerable.Range(0, 99).Select(i => $"X-Header-{i}: {i}\r\n"));
        Assert.Equal(431, Status(await Raw(server.Address, Request("GET", manyHeaders, "", "/healthz"))));
        var fewerHeaders = string.Concat(Enumerable.Range(0, 98).Select(i => $"X-Header-{i}: {i}\r\n"));
        Assert.Equal(200, Status(await Raw(server.Address, Request("GET", fewerHeaders, "", "/healthz"))));
        Assert.Equal(431, Status(await Raw(server.Address, Request("GET", $"X-Large: {new string('a', 33 * 1024)}\r\n", "", "/healthz"))));

        using var health = await server.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_client_trickling_its_body_is_cut_off_after_the_grace_period()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        // About 100 bytes a second, under Kestrel's 240 B/s minimum once its 5 s grace is over.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Address.Host, server.Address.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"));
        var watch = Stopwatch.StartNew();
        var closed = ReadToEnd(socket, TimeSpan.FromSeconds(30));
        var sent = 0;
        while (!closed.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                sent += await socket.SendAsync(Encoding.ASCII.GetBytes("          "));
            }
            catch (SocketException)
            {
                break;
            }
            await Task.WhenAny(closed, Task.Delay(100));
        }
        var answer = await closed;
        var elapsed = watch.Elapsed;
        output.WriteLine($"trickling client: {sent} bytes in {elapsed.TotalSeconds:0.0} s, then closed; the server said: {answer.Split("\r\n")[0]}");
        Assert.True(elapsed < TimeSpan.FromSeconds(5 + 5), $"the trickling connection stayed open {elapsed.TotalSeconds:0.0} s");
        Assert.True(sent < 2000, $"{sent} bytes were taken from a client sending ~100 B/s");
        using var health = await server.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static byte[] Request(string method, string headers, string body, string path = "/v1/predict") =>
        Encoding.UTF8.GetBytes($"{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{headers}\r\n{body}");

    /// <summary>Sends raw bytes on a new connection and reads what comes back until the server closes it.</summary>
    private static async Task<string> Raw(Uri address, byte[] request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port);
        var reading = ReadToEnd(socket, TimeSpan.FromSeconds(30));
        try
        {
            await socket.SendAsync(request);
        }
        catch (SocketException)
        {
            // The server may answer and close before it has read everything: its answer is still there to read.
        }
        return await reading;
    }

    private static async Task<string> ReadToEnd(Socket socket, TimeSpan limit)
    {
        using var cancel = new CancellationTokenSource(limit);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (read == 0) break;
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // Reset by the server: what arrived before is the answer.
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static int Status(string response)
    {
        var line = response.Split("\r\n")[0].Split(' ');
        return line.Length > 1 && int.TryParse(line[1], out var status) ? status : throw new InvalidOperationException($"no HTTP status line in '{Clip(response)}'");
    }

    // R21

    [Fact]
    public async Task A_request_past_its_timeout_gets_504_well_before_the_model_answers_and_is_dropped()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with { ForwardDelay = TimeSpan.FromSeconds(3), RequestTimeout = TimeSpan.FromSeconds(1) });
        var watch = Stopwatch.StartNew();
        using var response = await server.PostJson(TestServer.Json(TestServer.Record(run.Result.TestRows, 0)));
        var elapsed = watch.Elapsed;
        var (status, type, _, _) = await TestServer.Problem(response);
        output.WriteLine($"504 after {elapsed.TotalMilliseconds:0} ms (timeout 1000 ms, forward delay 3000 ms)");
        Assert.Equal(504, status);
        Assert.Equal("/problems/timeout", type);
        Assert.True(elapsed < TimeSpan.FromSeconds(2.5), $"the timeout answered after {elapsed.TotalMilliseconds:0} ms");
        // The batch loop reaches the item after the delay and drops it instead of running it.
        Assert.True(await WaitFor(server, "lathe_dropped_requests_total", v => v == 1, TimeSpan.FromSeconds(15)), "the timed-out item was not dropped");
        Assert.Equal(0, await Metric(server, "lathe_batch_rows_count"));
    }

    [Fact]
    public async Task A_client_that_goes_away_is_dropped_from_its_batch_and_its_batch_mate_is_answered()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with
        {
            ForwardDelay = TimeSpan.FromSeconds(2), MaxBatchDelay = TimeSpan.FromSeconds(1.5), RequestTimeout = TimeSpan.FromSeconds(30),
        });
        var rows = run.Result.TestRows;
        using var predictor = Bundle.Load(run.Result.BundlePath).CreatePredictor();
        using var leaving = new CancellationTokenSource();
        var gone = server.Client.PostAsync("/v1/predict", new StringContent(TestServer.Json(TestServer.Record(rows, 0)), Encoding.UTF8, Json), leaving.Token);
        Assert.True(await WaitFor(server, "lathe_queued_rows", v => v == 1, TimeSpan.FromSeconds(10)), "the first request was not queued");
        // The first batch waits up to 1.5 s for more: the second joins it; its forward pass then waits 2 s, and the first client leaves.
        var staying = server.PostJson(TestServer.Json(TestServer.Record(rows, 1)));
        Assert.True(await WaitFor(server, "lathe_queued_rows", v => v == 2, TimeSpan.FromSeconds(10)), "the two requests were not queued together");
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);

        using var answer = await staying;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(predictor.Predict(rows.Gather([1])).Labels[0], Prediction(await answer.Content.ReadAsStringAsync()).Label);
        Assert.True(await WaitFor(server, "lathe_dropped_requests_total", v => v == 1, TimeSpan.FromSeconds(10)), "the request whose client left was not dropped");
        Assert.Equal(1, await Metric(server, "lathe_batch_rows_count"));
        Assert.Equal(1, await Metric(server, "lathe_batch_rows_sum"));
    }

    // R22

    [Fact]
    public async Task An_overloaded_server_sheds_with_503_and_is_ready_again_within_5_s()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with
        {
            MaxQueue = 8, MaxBatchSize = 4, ForwardDelay = TimeSpan.FromMilliseconds(25),
        });
        var body = TestServer.Json(TestServer.Record(run.Result.TestRows, 0));
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        var faults = new System.Collections.Concurrent.ConcurrentBag<string>();
        var readiness = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var clients = Enumerable.Range(0, 32).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await server.PostJson(body);
                var status = (int)response.StatusCode;
                statuses.Add(status);
                if (status == 200) continue;
                var (_, type, _, _) = await TestServer.Problem(response);
                if (status != 503 || type != "/problems/overloaded" || response.Headers.RetryAfter is null)
                    faults.Add($"{status} {type} Retry-After: {response.Headers.RetryAfter}");
            }
        }).ToList();
        var probe = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var ready = await server.Client.GetAsync("/readyz");
                readiness.Add((int)ready.StatusCode);
                if (ready.StatusCode == HttpStatusCode.ServiceUnavailable && ready.Headers.RetryAfter is null) faults.Add("/readyz 503 without Retry-After");
                await Task.Delay(50);
            }
        });
        await Task.WhenAll([.. clients, probe]);
        var quiet = Stopwatch.StartNew();
        HttpStatusCode readyAfter;
        do
        {
            using var ready = await server.Client.GetAsync("/readyz");
            readyAfter = ready.StatusCode;
            if (readyAfter != HttpStatusCode.OK) await Task.Delay(100);
        }
        while (readyAfter != HttpStatusCode.OK && quiet.Elapsed < TimeSpan.FromSeconds(5));

        output.WriteLine($"{statuses.Count(s => s == 200)} × 200, {statuses.Count(s => s == 503)} × 503, others {statuses.Count(s => s is not (200 or 503))}; "
                         + $"/readyz {readiness.Count(s => s == 503)} × 503 of {readiness.Count} under load; ready again after {quiet.ElapsedMilliseconds} ms");
        Assert.All(statuses, s => Assert.True(s is 200 or 503, $"status {s}"));
        Assert.Empty(faults);
        Assert.Contains(200, statuses);
        Assert.Contains(503, statuses);
        Assert.Contains(503, readiness);
        Assert.Equal(HttpStatusCode.OK, readyAfter);
        Assert.True(await Metric(server, "lathe_shed_requests_total") == statuses.Count(s => s == 503));
    }

    [Fact]
    public void The_pass_time_curve_that_shedding_estimates_from_interpolates_the_timed_sizes_and_extrapolates_past_them()
    {
        var model = ServedModel.Load(run.Result.BundlePath, threads: 1);
        try
        {
            Assert.Equal(0, model.PassSeconds(0));
            Assert.True(model.PassSeconds(1) > 0);
            // Between timed sizes a straight line; past 64 rows the line through 32 and 64.
            Assert.Equal((model.PassSeconds(2) + model.PassSeconds(4)) / 2, model.PassSeconds(3), 12);
            Assert.Equal((3 * model.PassSeconds(32) + model.PassSeconds(64)) / 4, model.PassSeconds(40), 12);
            Assert.Equal(2 * model.PassSeconds(64) - model.PassSeconds(32), model.PassSeconds(96), 12);
            Assert.Contains(model.MaxBatchSize, new[] { 1, 2, 4, 8, 16, 32, 64 });
        }
        finally
        {
            model.Release();
        }
    }

    // R23

    [Fact]
    public async Task A_bad_record_among_32_concurrent_ones_fails_alone()
    {
        var rows = run.Result.TestRows;
        using var predictor = Bundle.Load(run.Result.BundlePath).CreatePredictor();
        var numeric = rows.Columns.OfType<NumericColumn>().First().Name;
        // A record the schema refuses, and one it takes (out-of-range numbers accepted) on which the network overflows.
        foreach (var (poison, expected, problemType) in new[] { ("\"not a number\"", 400, "invalid-input"), ("1e308", 422, "prediction-failed") })
        {
            await using var server = await TestServer.Start(run.Result.BundlePath, o => o with
            {
                // The forward delay sends every request through the queue: handlers run to their end on one thread each, so
                // with the pool's few threads busy a cold round could run its requests one after another, each a lone pass.
                MaxBatchDelay = TimeSpan.FromMilliseconds(200), ForwardDelay = TimeSpan.FromMilliseconds(5), RejectOutOfRange = expected == 400,
            });
            var bodies = Enumerable.Range(0, 32).Select(i =>
            {
                var record = TestServer.Record(rows, i % rows.RowCount);
                var text = TestServer.Json(record);
                if (i != 13) return text;
                record[numeric] = "\u0001";
                return TestServer.Json(record).Replace("\"\\u0001\"", poison);
            }).ToArray();
            // 32 connections opened first, so that the requests arrive together: over fresh connections each could be
            // answered (a lone pass) before the next connection was up, and none would be batched.
            foreach (var open in await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => server.Client.GetAsync("/healthz")))) open.Dispose();
            var responses = await Task.WhenAll(bodies.Select(b => server.PostJson(b)));
            for (var i = 0; i < responses.Length; i++)
            {
                if (i == 13)
                {
                    var (status, type, _, problem) = await TestServer.Problem(responses[i]);
                    Assert.True(status == expected && type == $"/problems/{problemType}", $"poison {poison}: {status} {problem}");
                    continue;
                }
                Assert.Equal(HttpStatusCode.OK, responses[i].StatusCode);
                Assert.Equal(predictor.Predict(rows.Gather([i % rows.RowCount])).Labels[0], Prediction(await responses[i].Content.ReadAsStringAsync()).Label);
            }
            foreach (var response in responses) response.Dispose();
            var passes = await Metric(server, "lathe_batch_rows_count");
            output.WriteLine($"poison {poison}: {expected}; the others in {passes} forward passes");
            Assert.True(passes < 31, $"the 31 good requests took {passes} forward passes: they were not batched");
        }
    }

    [Fact]
    public async Task Without_batching_a_served_prediction_is_bit_for_bit_the_predictor_one()
    {
        var (picks, expected) = Expected(1000);
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with { MaxBatchSize = 1 });
        var served = new (string Label, float[] Probabilities)[picks.Length];
        await ForEach(picks.Length, 4, async i =>
        {
            using var response = await server.PostJson(TestServer.Json(TestServer.Record(run.Result.TestRows, picks[i])));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            served[i] = Prediction(await response.Content.ReadAsStringAsync(), expected.Classes);
        });
        var differing = Enumerable.Range(0, picks.Length).Count(i =>
            served[i].Label != expected.Labels[picks[i]] || !Bits(served[i].Probabilities).SequenceEqual(Bits(expected.Probabilities[picks[i]])));
        Assert.Equal(0, differing);
        Assert.Equal(1, await Metric(server, "lathe_batch_rows_sum") / await Metric(server, "lathe_batch_rows_count"));
    }

    [Fact]
    public async Task A_request_alone_runs_its_own_pass_bit_for_bit_the_predictor_one()
    {
        var (picks, expected) = Expected(100);
        await using var server = await TestServer.Start(run.Result.BundlePath);
        for (var i = 0; i < picks.Length; i++)
        {
            using var response = await server.PostJson(TestServer.Json(TestServer.Record(run.Result.TestRows, picks[i])));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var served = Prediction(await response.Content.ReadAsStringAsync(), expected.Classes);
            Assert.Equal(expected.Labels[picks[i]], served.Label);
            Assert.Equal(Bits(expected.Probabilities[picks[i]]), Bits(served.Probabilities));
        }
        // One at a time, no request ever found another in flight: each ran its pass on its own thread, none queued.
        Assert.Equal(picks.Length, await Metric(server, "lathe_lone_passes_total"));
        Assert.Equal(picks.Length, await Metric(server, "lathe_batch_rows_count"));
    }

    [Fact]
    public async Task Batched_predictions_match_single_row_ones_to_float_rounding()
    {
        var (picks, expected) = Expected(1000);
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with { MaxBatchDelay = TimeSpan.FromMilliseconds(2) });
        var rows = run.Result.TestRows;

        var inArrays = new (string Label, float[] Probabilities)[picks.Length];
        for (var start = 0; start < picks.Length; start += 25)
        {
            var records = picks[start..(start + 25)].Select(p => TestServer.Record(rows, p)).ToArray();
            using var response = await server.PostJson(TestServer.Json(records));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var answers = document.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
            Assert.Equal(25, answers.Length);
            for (var i = 0; i < 25; i++) inArrays[start + i] = Prediction(answers[i], expected.Classes);
        }
        var before = (Passes: await Metric(server, "lathe_batch_rows_count"), Rows: await Metric(server, "lathe_batch_rows_sum"));

        var concurrent = new (string Label, float[] Probabilities)[picks.Length];
        await ForEach(picks.Length, 16, async i =>
        {
            using var response = await server.PostJson(TestServer.Json(TestServer.Record(rows, picks[i])));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            concurrent[i] = Prediction(await response.Content.ReadAsStringAsync(), expected.Classes);
        });
        var passes = await Metric(server, "lathe_batch_rows_count") - before.Passes;

        foreach (var (name, served) in new[] { ("arrays of 25", inArrays), ("concurrent single records", concurrent) })
        {
            var labels = Enumerable.Range(0, picks.Length).Count(i => served[i].Label == expected.Labels[picks[i]]);
            var bitwise = Enumerable.Range(0, picks.Length).Count(i => Bits(served[i].Probabilities).SequenceEqual(Bits(expected.Probabilities[picks[i]])));
            var largest = Enumerable.Range(0, picks.Length).Max(i => served[i].Probabilities.Zip(expected.Probabilities[picks[i]], (a, b) => Math.Abs(a - b)).Max());
            output.WriteLine($"{name}: labels {labels}/{picks.Length} equal, probabilities bit for bit {bitwise}/{picks.Length}, max |difference| {largest:E2}");
            Assert.Equal(picks.Length, labels);
            Assert.True(largest <= 1e-5, $"{name}: a probability differs by {largest:E2} from the single-row prediction");
        }
        output.WriteLine($"concurrent single records: {picks.Length} requests in {passes} forward passes ({picks.Length / passes:0.0} rows a pass)");
        Assert.True(before.Rows / before.Passes >= 25);
    }

    [Fact]
    public async Task With_exact_batches_batched_predictions_are_bit_for_bit_the_single_ones()
    {
        var (picks, expected) = Expected(1000);
        var rows = run.Result.TestRows;
        // Passes of 16 rows: the arrays of 25 and of 100 below span several. The forward delay sends every request through
        // the queue: without it, 16 concurrent requests on two cores often found nothing queued and ran as lone passes
        // (a CI run, 2026-12-05: 1,000 requests in 940 passes), and the batching this test is about did not happen.
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with
        {
            ExactBatches = true, MaxBatchSize = 16, MaxBatchDelay = TimeSpan.FromMilliseconds(2), ForwardDelay = TimeSpan.FromMilliseconds(1),
        });

        var alone = new (string Label, float[] Probabilities)[picks.Length];
        for (var i = 0; i < picks.Length; i++)
        {
            using var response = await server.PostJson(TestServer.Json(TestServer.Record(rows, picks[i])));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            alone[i] = Prediction(await response.Content.ReadAsStringAsync(), expected.Classes);
        }
        var passes = await Metric(server, "lathe_batch_rows_count");

        var concurrent = new (string Label, float[] Probabilities)[picks.Length];
        await ForEach(picks.Length, 16, async i =>
        {
            using var response = await server.PostJson(TestServer.Json(TestServer.Record(rows, picks[i])));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            concurrent[i] = Prediction(await response.Content.ReadAsStringAsync(), expected.Classes);
        });
        var joined = await Metric(server, "lathe_batch_rows_count") - passes;

        var results = new List<(string Name, (string Label, float[] Probabilities)[] Served)> { ("concurrent single records", concurrent) };
        foreach (var size in new[] { 25, 100 })
        {
            var inArrays = new (string Label, float[] Probabilities)[picks.Length];
            for (var start = 0; start < picks.Length; start += size)
            {
                var records = picks[start..(start + size)].Select(p => TestServer.Record(rows, p)).ToArray();
                using var response = await server.PostJson(TestServer.Json(records));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var answers = document.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
                for (var i = 0; i < size; i++) inArrays[start + i] = Prediction(answers[i], expected.Classes);
            }
            results.Add(($"arrays of {size}", inArrays));
        }
        Assert.Equal(picks.Length, Enumerable.Range(0, picks.Length).Count(i => alone[i].Label == expected.Labels[picks[i]]));
        foreach (var (name, served) in results)
        {
            var bitwise = Enumerable.Range(0, picks.Length).Count(i => served[i].Label == alone[i].Label && Bits(served[i].Probabilities).SequenceEqual(Bits(alone[i].Probabilities)));
            output.WriteLine($"{name}: {bitwise}/{picks.Length} bit for bit the request sent alone");
            Assert.Equal(picks.Length, bitwise);
        }
        output.WriteLine($"concurrent single records: {picks.Length} requests in {joined} forward passes");
        Assert.True(joined < picks.Length * 0.9, $"the concurrent requests took {joined} passes: too few were batched for the test to mean anything");
    }

    /// <summary>What Lathe's own predictor says for each test row alone (the reference), and which rows to send.</summary>
    private (int[] Picks, Reference Expected) Expected(int count)
    {
        var rows = run.Result.TestRows;
        var random = new Random(23);
        var picks = Enumerable.Range(0, count).Select(_ => random.Next(rows.RowCount)).ToArray();
        using var predictor = Bundle.Load(run.Result.BundlePath).CreatePredictor();
        var single = Enumerable.Range(0, rows.RowCount).Select(r => predictor.Predict(rows.Gather([r]))).ToArray();
        var classes = single[0].Classes.ToArray();
        return (picks, new Reference(classes, single.Select(p => p.Labels[0]).ToArray(), single.Select(p => p.Probabilities).ToArray()));
    }

    private sealed record Reference(string[] Classes, string[] Labels, float[][] Probabilities);

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static (string Label, float[] Probabilities) Prediction(string body, string[]? classes = null)
    {
        using var document = JsonDocument.Parse(body);
        return Prediction(document.RootElement, classes ?? []);
    }

    private static (string Label, float[] Probabilities) Prediction(JsonElement answer, string[] classes)
    {
        var probabilities = answer.GetProperty("probabilities");
        return (answer.GetProperty("prediction").GetString()!, classes.Select(c => probabilities.GetProperty(c).GetSingle()).ToArray());
    }

    // R24

    [Fact]
    public async Task Reloads_under_load_fail_no_request_and_a_corrupt_bundle_leaves_the_old_model_serving()
    {
        var (path, valid, corrupt) = Bundles();
        await using var server = await TestServer.Start(path);
        var body = TestServer.Json(TestServer.Record(run.Result.TestRows, 0));
        var served = 0;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var versions = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await server.PostJson(body);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)response.StatusCode}: {Clip(text)}");
                    continue;
                }
                using var answer = JsonDocument.Parse(text);
                versions.AddOrUpdate(answer.RootElement.GetProperty("model_version").GetString()!, 1, (_, n) => n + 1);
                Interlocked.Increment(ref served);
            }
        })).ToList();

        var current = Version(valid[0]);
        for (var i = 0; i < 20; i++)
        {
            var good = i % 2 == 0;
            var bytes = good ? valid[(i / 2 + 1) % 2] : corrupt[i / 2 % 2];
            Place(path, bytes);
            using var reload = await server.Client.PostAsync("/v1/admin/reload", null);
            if (good)
            {
                Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
                Assert.NotEqual(current, Version(bytes));
                current = Version(bytes);
            }
            else
            {
                var (status, type, _, _) = await TestServer.Problem(reload);
                Assert.Equal(422, status);
                Assert.Equal("/problems/reload-failed", type);
            }
            Assert.Equal(current, await ModelVersion(server));
        }
        stop.Cancel();
        await Task.WhenAll(clients);

        output.WriteLine($"{served} requests answered during 20 reloads, {failures.Count} failed; by version: {string.Join(", ", versions.Select(v => $"{v.Key} {v.Value}"))}");
        Assert.Empty(failures);
        Assert.True(served >= 20, $"only {served} requests were answered during the reloads");
        Assert.Subset(new HashSet<string>(valid.Select(Version)), versions.Keys.ToHashSet());
        Assert.Equal(10, await Metric(server, "lathe_model_reloads_total{result=\"failed\"}"));
        Assert.Equal(10, await Metric(server, "lathe_model_reloads_total{result=\"ok\"}"));
    }

    [Fact]
    public async Task With_watch_on_replacing_the_bundle_file_changes_the_model_and_a_corrupt_one_does_not()
    {
        var (path, valid, corrupt) = Bundles();
        await using var server = await TestServer.Start(path, o => o with { Watch = true });
        Assert.Equal(Version(valid[0]), await ModelVersion(server));

        var watch = Stopwatch.StartNew();
        Place(path, valid[1]);
        while (await ModelVersion(server) != Version(valid[1]) && watch.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(100);
        output.WriteLine($"the new bundle was served {watch.ElapsedMilliseconds} ms after the file was replaced");
        Assert.Equal(Version(valid[1]), await ModelVersion(server));

        Place(path, corrupt[0]);
        Assert.True(await WaitFor(server, "lathe_model_reloads_total{result=\"failed\"}", v => v == 1, TimeSpan.FromSeconds(15)), "the corrupt bundle was not tried");
        Assert.Equal(Version(valid[1]), await ModelVersion(server));
        using var response = await server.PostJson(TestServer.Json(TestServer.Record(run.Result.TestRows, 0)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The penguins bundle copied to a folder of its own (the served path), a second valid bundle (another seed,
    /// a few epochs) and two corrupt ones: truncated, and one byte flipped.</summary>
    private (string Path, byte[][] Valid, byte[][] Corrupt) Bundles()
    {
        var path = Path.Combine(TestData.TempDirectory(), "model.lathe");
        File.Copy(run.Result.BundlePath, path);
        var first = File.ReadAllBytes(path);
        var flipped = first.ToArray();
        flipped[flipped.Length / 2] ^= 0xFF;
        return (path, [first, Second.Value], [first[..(first.Length / 2)], flipped]);
    }

    private static readonly Lazy<byte[]> Second = new(() =>
    {
        var penguins = TestData.Penguins(seed: 7);
        return File.ReadAllBytes(TrainingRun.Run(penguins with { Training = penguins.Training with { Epochs = 3 } }, TestData.TempDirectory()).BundlePath);
    });

    /// <summary>Replaces the file as a bundle is written: a new file renamed over the old one.</summary>
    private static void Place(string path, byte[] bytes)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    private static string Version(byte[] bundle) => Convert.ToHexStringLower(SHA256.HashData(bundle))[..12];

    private static async Task<string> ModelVersion(TestServer server)
    {
        using var document = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/model"));
        return document.RootElement.GetProperty("model_version").GetString()!;
    }

    // R26

    [Fact]
    public void The_server_listens_on_loopback_unless_told_otherwise()
    {
        var urls = new ServeOptions { ModelPath = "model.lathe" }.Urls.Split(';');
        Assert.NotEmpty(urls);
        Assert.All(urls, url => Assert.True(IPAddress.IsLoopback(IPAddress.Parse(new Uri(url).Host)), $"{url} is not a loopback address"));
    }

    [Fact]
    public async Task With_an_api_key_every_route_but_health_asks_for_it()
    {
        const string key = "a-test-key-0123456789";
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with { ApiKey = key });
        var body = TestServer.Json(TestServer.Record(run.Result.TestRows, 0));
        HttpRequestMessage Predict(string? header = null, string? value = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/predict") { Content = new StringContent(body, Encoding.UTF8, Json) };
            if (header is not null) request.Headers.TryAddWithoutValidation(header, value);
            return request;
        }

        foreach (var request in new[]
                 {
                     Predict(), Predict("X-API-Key", key + "x"), Predict("Authorization", "Bearer wrong"), Predict("Authorization", key), new HttpRequestMessage(HttpMethod.Get, "/v1/model"), new HttpRequestMessage(HttpMethod.Get, "/metrics"),
                     new HttpRequestMessage(HttpMethod.Post, "/v1/admin/reload"), new HttpRequestMessage(HttpMethod.Get, "/openapi.json"),
                 })
        {
            using var response = await server.Client.SendAsync(request);
            var (status, type, _, _) = await TestServer.Problem(response);
            Assert.Equal(401, status);
            Assert.Equal("/problems/unauthorized", type);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        foreach (var request in new[] { Predict("X-API-Key", key), Predict("Authorization", $"Bearer {key}") })
        {
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var health = await server.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_path_given_for_an_image_is_never_read()
    {
        var (images, labels) = TestData.FashionSubset(300);
        var config = new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = images, Labels = labels },
            Model = new ModelConfig { Channels = [4], Dense = 16 },
            Training = new TrainingConfig { Epochs = 1, BatchSize = 64, Threads = 2 },
        };
        var bundle = TrainingRun.Run(config, TestData.TempDirectory()).BundlePath;
        await using var server = await TestServer.Start(bundle);
        var field = (await Fields(server)).Single(f => f.Type == "image").Name;
        var pixels = ((ImageColumn)Lathe.Data.Sources.DataSource.Open(images, labels: labels).Read()["image"]).Pixels[..784];

        using var image = await server.PostJson(TestServer.Json(new Dictionary<string, string> { [field] = Convert.ToBase64String(pixels) }));
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        var png = TestData.Vega("7zip.png");
        foreach (var path in new[] { "/etc/passwd", "file:///etc/passwd", "../../../../etc/passwd", png, images })
        {
            using var response = await server.PostJson(TestServer.Json(new Dictionary<string, string> { [field] = path }));
            var (status, type, _, problem) = await TestServer.Problem(response);
            Assert.Equal(400, status);
            Assert.Equal("/problems/invalid-input", type);
            Assert.Equal("not valid base64", problem.GetProperty("errors").GetProperty(field)[0].GetString());
        }
        // Even a path that happens to be base64 is decoded as bytes, not opened.
        using var base64Path = await server.PostJson(TestServer.Json(new Dictionary<string, string> { [field] = "/etc/passwd/" }));
        var (_, _, _, decoded) = await TestServer.Problem(base64Path);
        Assert.StartsWith("not an image: 9 bytes", decoded.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    // Helpers

    private static async Task ForEach(int count, int workers, Func<int, Task> body)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count) await body(i);
        })));
    }

    /// <summary>A sample's value from <c>GET /metrics</c>, by its name with labels as Prometheus writes them.</summary>
    private static async Task<double> Metric(TestServer server, string sample)
    {
        var text = await server.Client.GetStringAsync("/metrics");
        foreach (var line in text.Split('\n'))
            if (line.StartsWith(sample + " ", StringComparison.Ordinal))
                return double.Parse(line[(sample.Length + 1)..], CultureInfo.InvariantCulture);
        // A labelled sample appears with its first count.
        return double.NaN;
    }

    private static async Task<bool> WaitFor(TestServer server, string sample, Func<double, bool> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if (condition(await Metric(server, sample))) return true;
            await Task.Delay(50);
        }
        return condition(await Metric(server, sample));
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
