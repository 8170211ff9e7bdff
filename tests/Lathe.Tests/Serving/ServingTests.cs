using System.Net;
using System.Text;
using System.Text.Json;
using Lathe.Bundles;
using Lathe.Data;
using Lathe.Serving;

namespace Lathe.Tests.Serving;

/// <summary><c>lathe serve</c>'s routes on a real server over loopback, with the penguins model and its test rows.</summary>
[Collection(PenguinsCollection.Name)]
public class ServingTests(PenguinsRun run)
{
    private Table Test => run.Result.TestRows;
    private Bundle Bundle => Lathe.Bundles.Bundle.Load(run.Result.BundlePath);

    [Fact]
    public async Task One_record_gets_the_prediction_the_bundle_gives_bit_for_bit_with_its_probabilities_and_version()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        using var predictor = Bundle.CreatePredictor();
        for (var row = 0; row < 5; row++)
        {
            var response = await server.PostJson(TestServer.Json(TestServer.Record(Test, row)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var expected = predictor.Predict(Test.Gather([row]));
            Assert.Equal(server.Server.Model!.Version, answer.RootElement.GetProperty("model_version").GetString());
            Assert.Equal(expected.Labels[0], answer.RootElement.GetProperty("prediction").GetString());
            var probabilities = answer.RootElement.GetProperty("probabilities");
            for (var k = 0; k < expected.Classes.Count; k++)
                Assert.Equal(expected.Probabilities[k], probabilities.GetProperty(expected.Classes[k]).GetSingle());
        }
    }

    [Fact]
    public async Task An_array_and_a_csv_body_of_every_test_row_get_the_bundles_labels_in_order()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        using var predictor = Bundle.CreatePredictor();
        var expected = predictor.Predict(Test);
        var records = Enumerable.Range(0, Test.RowCount).Select(r => TestServer.Record(Test, r)).ToArray();

        var json = await server.PostJson(TestServer.Json(records));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        using var fromJson = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        var predictions = fromJson.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(expected.Labels, predictions.Select(p => p.GetProperty("prediction").GetString()!).ToArray());
        for (var r = 0; r < predictions.Length; r++)
            for (var k = 0; k < expected.Classes.Count; k++)
                Assert.Equal(expected.Probabilities[r * expected.Classes.Count + k], predictions[r].GetProperty("probabilities").GetProperty(expected.Classes[k]).GetSingle(), 1e-5f);

        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", Test.ColumnNames.Select(Quote)));
        for (var r = 0; r < Test.RowCount; r++) csv.AppendLine(Test.RowText(r));
        var fromCsv = await server.Post(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv");
        Assert.Equal(HttpStatusCode.OK, fromCsv.StatusCode);
        using var csvAnswer = JsonDocument.Parse(await fromCsv.Content.ReadAsStringAsync());
        Assert.Equal(expected.Labels, csvAnswer.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("prediction").GetString()!).ToArray());
    }

    private static string Quote(string name) => name.Contains(',') ? $"\"{name}\"" : name;

    [Fact]
    public async Task A_bad_record_gets_400_problem_details_listing_every_bad_field()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        var record = TestServer.Record(Test, 0);
        record["Beak Length (mm)"] = "long";
        record["Flipper Length (mm)"] = 100_000;
        record["Sex"] = new[] { 1, 2 };
        record.Remove("Island");
        record["Islnd"] = "Biscoe";
        var response = await server.PostJson(TestServer.Json(new[] { TestServer.Record(Test, 1), record }));
        var (status, type, _, body) = await TestServer.Problem(response);
        Assert.Equal(400, status);
        Assert.Equal("/problems/invalid-input", type);
        var errors = body.GetProperty("errors");
        Assert.Contains("not a number", errors.GetProperty("[1].Beak Length (mm)")[0].GetString());
        Assert.Contains("out of range", errors.GetProperty("[1].Flipper Length (mm)")[0].GetString());
        Assert.Contains("got an array", errors.GetProperty("[1].Sex")[0].GetString());
        Assert.Contains("missing", errors.GetProperty("[1].Island")[0].GetString());
        Assert.Contains("did you mean 'Island'", errors.GetProperty("[1].Islnd")[0].GetString());
        // The good record is not listed, and nothing was predicted for either.
        Assert.DoesNotContain(errors.EnumerateObject(), e => e.Name.StartsWith("[0]"));
        Assert.Equal(5, errors.EnumerateObject().Count());
    }

    [Fact]
    public async Task Null_is_a_missing_value_and_unknown_categories_follow_the_policy()
    {
        var record = TestServer.Record(Test, 0);
        record["Beak Depth (mm)"] = null;
        record["Island"] = "Atlantis";
        await using (var accepting = await TestServer.Start(run.Result.BundlePath))
        {
            var response = await accepting.PostJson(TestServer.Json(record));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await using var rejecting = await TestServer.Start(run.Result.BundlePath, o => o with { RejectUnknownCategories = true });
        var refused = await rejecting.PostJson(TestServer.Json(record));
        var (status, _, _, body) = await TestServer.Problem(refused);
        Assert.Equal(400, status);
        Assert.Contains("'Biscoe', 'Dream', 'Torgersen'", body.GetProperty("errors").GetProperty("Island")[0].GetString());
        Assert.Single(body.GetProperty("errors").EnumerateObject());
    }

    [Fact]
    public async Task Model_and_openapi_describe_the_bundles_schema_and_version()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        var manifest = Bundle.Manifest;
        using var model = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/model"));
        Assert.Equal(server.Server.Model!.Version, model.RootElement.GetProperty("model_version").GetString());
        Assert.Equal(manifest.Input.Select(f => f.Name), model.RootElement.GetProperty("input").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(manifest.Outputs, model.RootElement.GetProperty("outputs").EnumerateArray().Select(o => o.GetString()));
        // The penguins classifier is calibrated: /v1/model gives the temperature its probabilities are divided by.
        Assert.Equal(Bundle.Target.Temperature!.Value, model.RootElement.GetProperty("temperature").GetDouble());
        var beak = manifest.Input.Single(f => f.Name == "Beak Length (mm)");
        Assert.Equal(Test.RowCount > 0 ? beak.Minimum : null, model.RootElement.GetProperty("input")[1].GetProperty("training_minimum").GetDouble());
        // The micro-batch size was timed as the model loaded: one of the sizes tried, the one the batch loop uses.
        var batching = model.RootElement.GetProperty("batching");
        Assert.Equal("timed at load", batching.GetProperty("chosen").GetString());
        Assert.Contains(batching.GetProperty("max_batch_size").GetInt32(), new[] { 1, 2, 4, 8, 16, 32, 64 });
        Assert.Equal(server.Server.Model!.MaxBatchSize, batching.GetProperty("max_batch_size").GetInt32());
        await using (var fixedSize = await TestServer.Start(run.Result.BundlePath, o => o with { MaxBatchSize = 12 }))
            Assert.Equal(12, fixedSize.Server.Model!.MaxBatchSize);

        using var openapi = JsonDocument.Parse(await server.Client.GetStringAsync("/openapi.json"));
        Assert.Equal("3.0.3", openapi.RootElement.GetProperty("openapi").GetString());
        var record = openapi.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("Record");
        Assert.Equal(manifest.Input.Select(f => f.Name), record.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var (low, high) = RecordTable.AcceptedRange(beak);
        Assert.Equal(low, record.GetProperty("properties").GetProperty("Beak Length (mm)").GetProperty("minimum").GetDouble());
        Assert.Equal(high, record.GetProperty("properties").GetProperty("Beak Length (mm)").GetProperty("maximum").GetDouble());
        Assert.Equal(manifest.Outputs, openapi.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("Answer")
            .GetProperty("properties").GetProperty("prediction").GetProperty("enum").EnumerateArray().Select(o => o.GetString()));
    }

    [Fact]
    public async Task Health_readiness_and_metrics_report_the_served_model()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/healthz")).StatusCode);
        using var ready = JsonDocument.Parse(await server.Client.GetStringAsync("/readyz"));
        Assert.Equal(server.Server.Model!.Version, ready.RootElement.GetProperty("model_version").GetString());
        using var predictor = Bundle.CreatePredictor();
        var labels = predictor.Predict(Test.Gather([0, 1, 2])).Labels;
        foreach (var row in new[] { 0, 1, 2 })
            Assert.Equal(HttpStatusCode.OK, (await server.PostJson(TestServer.Json(TestServer.Record(Test, row)))).StatusCode);
        await server.PostJson("{");

        var metrics = await server.Client.GetStringAsync("/metrics");
        Assert.Contains($"lathe_model_info{{version=\"{server.Server.Model.Version}\"}} 1", metrics);
        foreach (var label in labels.Distinct())
            Assert.Contains($"lathe_predictions_total{{class=\"{label}\"}} {labels.Count(l => l == label)}", metrics);
        Assert.Contains("lathe_batch_rows_count 3", metrics);
        Assert.Matches("http_requests_received_total\\{code=\"200\",method=\"POST\",[^}]*endpoint=\"/v1/predict\"\\} 3", metrics);
        Assert.Matches("http_requests_received_total\\{code=\"400\",method=\"POST\",[^}]*endpoint=\"/v1/predict\"\\} 1", metrics);
        Assert.Contains("http_request_duration_seconds_bucket", metrics);
        Assert.Contains("process_working_set_bytes", metrics);
        Assert.Contains("lathe_live_tensors", metrics);
        // The time collections stopped the process: it only grows, and a forced collection adds to it.
        var paused = GcPause(metrics);
        GC.Collect();
        Assert.True(GcPause(await server.Client.GetStringAsync("/metrics")) > paused);
    }

    /// <summary>Three predictions (one record, then two in one request) through a server logging to <paramref name="target"/>;
    /// the model's version and the expected first answer.</summary>
    private async Task<(string Version, string FirstLabel)> ServeThreeLogged(string target)
    {
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with { PredictionLog = target });
        Assert.Equal(HttpStatusCode.OK, (await server.PostJson(TestServer.Json(TestServer.Record(Test, 0)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.PostJson(TestServer.Json(new[] { TestServer.Record(Test, 1), TestServer.Record(Test, 2) }))).StatusCode);
        using var predictor = Bundle.CreatePredictor();
        return (server.Server.Model!.Version, predictor.Predict(Test.Gather([0])).Labels[0]);
    }

    [Fact]
    public async Task The_prediction_log_can_be_a_sqlite_table_in_wal_mode()
    {
        var path = Path.Combine(TestData.TempDirectory(), "monitoring.db");
        var (version, label) = await ServeThreeLogged($"sqlite:{path}");
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = """
            SELECT count(*), min(model_version), max(model_version),
                   (SELECT json_extract(output, '$.prediction') FROM lathe_predictions ORDER BY id LIMIT 1),
                   (SELECT json_extract(input, '$."Beak Length (mm)"') FROM lathe_predictions ORDER BY id LIMIT 1),
                   min(latency_ms), (SELECT journal_mode FROM pragma_journal_mode)
            FROM lathe_predictions
            """;
        using var row = query.ExecuteReader();
        Assert.True(row.Read());
        Assert.Equal(3, row.GetInt64(0));
        Assert.Equal(version, row.GetString(1));
        Assert.Equal(version, row.GetString(2));
        Assert.Equal(label, row.GetString(3));
        Assert.Equal(((NumericColumn)Test["Beak Length (mm)"]).Values[0], row.GetDouble(4));
        Assert.True(row.GetDouble(5) > 0);
        Assert.Equal("wal", row.GetString(6));
    }

    [Fact]
    public async Task The_prediction_log_can_be_a_postgresql_table()
    {
        TestDatabase.RequireServer();
        var since = DateTimeOffset.UtcNow;
        var (version, label) = await ServeThreeLogged($"postgres:{TestDatabase.Connection}");
        using var db = TestDatabase.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT count(*) FROM lathe_predictions WHERE model_version = @version AND time >= @since";
        query.Parameters.AddWithValue("version", version);
        query.Parameters.AddWithValue("since", since);
        using var row = query.ExecuteReader();
        Assert.True(row.Read());
        Assert.Equal(3, row.GetInt64(0));
        using var first = db.CreateCommand();
        row.Close();
        first.CommandText = "SELECT output->>'prediction', (input->>'Beak Length (mm)')::float8 FROM lathe_predictions WHERE model_version = @version AND time >= @since ORDER BY id LIMIT 1";
        first.Parameters.AddWithValue("version", version);
        first.Parameters.AddWithValue("since", since);
        using var answer = first.ExecuteReader();
        Assert.True(answer.Read());
        Assert.Equal(label, answer.GetString(0));
        Assert.Equal(((NumericColumn)Test["Beak Length (mm)"]).Values[0], answer.GetDouble(1));
    }

    [Fact]
    public async Task A_prediction_log_table_dropped_under_the_server_is_made_again_and_no_request_fails()
    {
        var path = Path.Combine(TestData.TempDirectory(), "monitoring.db");
        await using var server = await TestServer.Start(run.Result.BundlePath, o => o with { PredictionLog = $"sqlite:{path}" });
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        db.Open();
        long Logged()
        {
            using var count = db.CreateCommand();
            count.CommandText = "SELECT count(*) FROM lathe_predictions";
            try
            {
                return (long)count.ExecuteScalar()!;
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                return -1;
            }
        }
        async Task<long> WaitFor(long rows)
        {
            for (var i = 0; i < 100 && Logged() != rows; i++) await Task.Delay(100);
            return Logged();
        }

        Assert.Equal(HttpStatusCode.OK, (await server.PostJson(TestServer.Json(TestServer.Record(Test, 0)))).StatusCode);
        Assert.Equal(1, await WaitFor(1));
        using (var drop = db.CreateCommand())
        {
            drop.CommandText = "DROP TABLE lathe_predictions";
            drop.ExecuteNonQuery();
        }
        Assert.Equal(HttpStatusCode.OK, (await server.PostJson(TestServer.Json(TestServer.Record(Test, 1)))).StatusCode);
        // The insert fails, and a second later the table is made again and the entry written.
        Assert.Equal(1, await WaitFor(1));
        var metrics = await server.Client.GetStringAsync("/metrics");
        Assert.Contains("lathe_prediction_log_failures_total 1", metrics);
        Assert.Contains("lathe_prediction_log_dropped_total 0", metrics);
    }

    [Fact]
    public async Task A_prediction_log_that_cannot_be_opened_stops_the_server_before_it_listens_naming_it()
    {
        var error = await Assert.ThrowsAsync<LatheException>(() => TestServer.Start(run.Result.BundlePath, o => o with { PredictionLog = "sqlite:/no/such/folder/log.db" }));
        Assert.Contains("--prediction-log sqlite:/no/such/folder/log.db: the folder '/no/such/folder' does not exist", error.Message);
        error = await Assert.ThrowsAsync<LatheException>(() => TestServer.Start(run.Result.BundlePath, o => o with { PredictionLog = "postgres:Host=localhost;Port=1;Database=none;Username=nobody;Timeout=2" }));
        Assert.Contains("--prediction-log postgres://localhost:1/none: cannot open the log table", error.Message);
    }

    [Fact]
    public async Task Every_prediction_is_logged_with_its_input_output_latency_and_version()
    {
        var folder = TestData.TempDirectory();
        string version;
        await using (var server = await TestServer.Start(run.Result.BundlePath, o => o with { PredictionLog = folder }))
        {
            version = server.Server.Model!.Version;
            Assert.Equal(HttpStatusCode.OK, (await server.PostJson(TestServer.Json(TestServer.Record(Test, 0)))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await server.PostJson(TestServer.Json(new[] { TestServer.Record(Test, 1), TestServer.Record(Test, 2) }))).StatusCode);
            await server.PostJson("[]");
        }
        var lines = Directory.GetFiles(folder, "predictions-*.jsonl").SelectMany(File.ReadAllLines).ToArray();
        Assert.Equal(3, lines.Length);
        using var predictor = Bundle.CreatePredictor();
        var expected = predictor.Predict(Test.Gather([0]));
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(version, first.RootElement.GetProperty("model_version").GetString());
        Assert.Equal(expected.Labels[0], first.RootElement.GetProperty("output").GetProperty("prediction").GetString());
        Assert.Equal(((NumericColumn)Test["Beak Length (mm)"]).Values[0], first.RootElement.GetProperty("input").GetProperty("Beak Length (mm)").GetDouble());
        Assert.True(first.RootElement.GetProperty("latency_ms").GetDouble() > 0);
    }

    [Fact]
    public async Task The_log_starts_a_new_file_past_its_size_with_every_line_whole()
    {
        // A size of one byte: every batch the writer takes starts a new file, and no batch is split across two.
        var folder = TestData.TempDirectory();
        await using (var server = await TestServer.Start(run.Result.BundlePath, o => o with { PredictionLog = folder, LogFileBytes = 1 }))
        {
            for (var i = 0; i < 6; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await server.PostJson(TestServer.Json(TestServer.Record(Test, i)))).StatusCode);
                // Each its own batch: the writer takes what is queued, so wait until this one is written.
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (Directory.GetFiles(folder, "predictions-*.jsonl").Sum(f => File.ReadAllLines(f).Length) <= i && DateTime.UtcNow < deadline) await Task.Delay(20);
            }
        }
        var files = Directory.GetFiles(folder, "predictions-*.jsonl");
        Assert.True(files.Length >= 2, $"{files.Length} file(s): the log never started a new one");
        var lines = files.Order().SelectMany(File.ReadAllLines).ToArray();
        Assert.Equal(6, lines.Length);
        Assert.All(files, f => Assert.EndsWith("\n", File.ReadAllText(f)));
        foreach (var line in lines) using (JsonDocument.Parse(line)) { }
    }

    [Fact]
    public async Task Shutdown_answers_the_requests_in_flight()
    {
        var server = await TestServer.Start(run.Result.BundlePath, o => o with { ForwardDelay = TimeSpan.FromMilliseconds(700) });
        var inFlight = server.PostJson(TestServer.Json(TestServer.Record(Test, 0)));
        await Task.Delay(200);
        var stopping = server.Server.DisposeAsync().AsTask();
        var response = await inFlight;
        await stopping;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        server.Client.Dispose();
    }

    [Fact]
    public async Task A_missing_or_corrupt_bundle_is_refused_before_anything_listens()
    {
        var missing = await Assert.ThrowsAsync<LatheException>(() => TestServer.Start(Path.Combine(TestData.TempDirectory(), "none.lathe")));
        Assert.Contains("does not exist", missing.Message);
        var corrupt = Path.Combine(TestData.TempDirectory(), "model.lathe");
        var bytes = File.ReadAllBytes(run.Result.BundlePath);
        File.WriteAllBytes(corrupt, bytes[..(bytes.Length / 2)]);
        await Assert.ThrowsAsync<BundleFormatException>(() => TestServer.Start(corrupt));
    }

    private static double GcPause(string metrics)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith("dotnet_gc_pause_seconds_total ", StringComparison.Ordinal));
        return double.Parse(line["dotnet_gc_pause_seconds_total ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
