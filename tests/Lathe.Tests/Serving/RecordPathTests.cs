using System.Net;
using System.Text;
using Lathe.Bundles;
using Lathe.Data;
using Lathe.Serving;

namespace Lathe.Tests.Serving;

/// <summary>The record path (one plain JSON record straight into the model's row, its answer straight out) answers every
/// request byte for byte as the table path does, and declines, to the table path, every record it cannot answer so.
/// A media type ending in +json is JSON the record path never reads, so the same body sent with it is the table path's answer.</summary>
[Collection(PenguinsCollection.Name)]
public class RecordPathTests(PenguinsRun run)
{
    private const string TablePathJson = "application/vnd.lathe.test+json";

    private Table Test => run.Result.TestRows;

    [Fact]
    public async Task Every_test_record_is_read_by_the_record_path_and_answered_byte_for_byte_as_the_table_path_answers_it()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        var model = server.Server.Model!;
        var row = model.Row;
        Assert.True(row is not null, model.NoRowBecause);
        var pipeline = Bundle.Load(run.Result.BundlePath).Pipeline;
        var missing = 0;
        for (var r = 0; r < Test.RowCount; r++)
        {
            // The record as a client sends it, the target among its fields (a field the model ignores).
            var record = TestServer.Record(Test, r);
            missing += record.Values.Count(v => v is null);
            var body = Encoding.UTF8.GetBytes(TestServer.Json(record));
            var features = row.TryRead(body);
            Assert.True(features is not null, $"test row {r} declined: {TestServer.Json(record)}");
            Assert.Equal(pipeline.Transform(Test.Gather([r])).Values, features.Values);
            await AssertSameAnswer(server, body, expectStatus: HttpStatusCode.OK);
        }
        Assert.Equal(Test.RowCount, server.Server.Metrics.RecordPath.Value);
        Assert.True(missing > 0, "no test record has a missing value");
    }

    [Fact]
    public async Task A_model_with_a_date_reads_its_records_by_the_record_path_and_answers_as_the_table_path()
    {
        var (server, row, test) = await TrainAndServe(TestData.Penguins() with
        {
            Target = "Origin",
            Data = new Lathe.Config.DataConfig { Path = TestData.Vega("cars.json"), Exclude = ["Name"] },
            Training = new Lathe.Config.TrainingConfig { Epochs = 3, Threads = 2 },
        });
        await using var served = server;
        await AssertEveryTestRecordReadAndAnswered(server, row, test);
        // A date written another way is read as the table path reads it; one that is no date is the table path's to refuse.
        var record = TestServer.Record(test, 0);
        foreach (var (year, status) in new[] { ("NA", HttpStatusCode.OK), ("1975-06-01T12:30:00", HttpStatusCode.OK), ("12/31/1975", HttpStatusCode.OK), ("31/12/1975", HttpStatusCode.BadRequest), ("the seventies", HttpStatusCode.BadRequest) })
        {
            record["Year"] = year;
            await AssertSameAnswer(server, Encoding.UTF8.GetBytes(TestServer.Json(record)), status);
        }
    }

    [Fact]
    public async Task A_model_with_a_numbers_values_as_categories_reads_its_records_by_the_record_path_and_answers_as_the_table_path()
    {
        var (server, row, test) = await TrainAndServe(TestData.Penguins() with
        {
            Target = "Origin",
            Data = new Lathe.Config.DataConfig { Path = TestData.Vega("cars.json"), Exclude = ["Name"] },
            Prepare = new Lathe.Config.PrepareConfig { ValueCategories = 64, PiecewiseLinearBins = 32 },
            Training = new Lathe.Config.TrainingConfig { Epochs = 3, Threads = 2 },
        });
        await using var served = server;
        Assert.Contains(served.Server.Model!.Pipeline.FeatureNames, n => n.StartsWith("Displacement.value=", StringComparison.Ordinal));
        await AssertEveryTestRecordReadAndAnswered(server, row, test);
        // A displacement shared by many cars, one no car has, one between two, and none: each as the table path reads it.
        var record = TestServer.Record(test, 0);
        foreach (var displacement in new object?[] { 97.0, 97.5, 1e-3, null })
        {
            record["Displacement"] = displacement;
            var body = Encoding.UTF8.GetBytes(TestServer.Json(record));
            Assert.NotNull(row.TryRead(body));
            await AssertSameAnswer(server, body, HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task A_model_with_derived_columns_reads_its_records_by_the_record_path_and_answers_as_the_table_path()
    {
        var (server, row, test) = await TrainAndServe(TestData.Penguins() with
        {
            Prepare = new Lathe.Config.PrepareConfig
            {
                DropCorrelated = 1,
                Derive = new Dictionary<string, string> { ["beak_ratio"] = "`Beak Length (mm)` / `Beak Depth (mm)`", ["bulk"] = "log(`Body Mass (g)`) - beak_ratio ^ 2" },
            },
            Training = new Lathe.Config.TrainingConfig { Epochs = 3, Threads = 2 },
        });
        await using var served = server;
        await AssertEveryTestRecordReadAndAnswered(server, row, test);
    }

    [Fact]
    public async Task A_model_with_hashed_categories_reads_its_records_by_the_record_path_and_answers_as_the_table_path()
    {
        var (server, row, test) = await TrainAndServe(TestData.Penguins() with
        {
            Prepare = new Lathe.Config.PrepareConfig { Encode = Lathe.Config.EncodeKind.Hashing, HashBuckets = 8 },
            Training = new Lathe.Config.TrainingConfig { Epochs = 3, Threads = 2 },
        });
        await using var served = server;
        Assert.Contains(row.Form.Fields, f => f is { Name: "Island", Buckets: 8 });
        await AssertEveryTestRecordReadAndAnswered(server, row, test);
        // An island never seen hashes into a bucket as any other; padded, "NA" and missing as the table path reads them.
        var record = TestServer.Record(test, 0);
        foreach (var island in new[] { "Atlantis", "  Dream ", "NA", null })
        {
            record["Island"] = island;
            var body = Encoding.UTF8.GetBytes(TestServer.Json(record));
            Assert.NotNull(row.TryRead(body));
            await AssertSameAnswer(server, body, HttpStatusCode.OK);
        }
        // A hashed column's bundle lists no categories, so even a server that refuses unknown ones takes any island.
        await using var strict = await TestServer.Start(served.Server.Model!.Path, o => o with { RejectUnknownCategories = true });
        record["Island"] = "Atlantis";
        Assert.NotNull(strict.Server.Model!.Row!.TryRead(Encoding.UTF8.GetBytes(TestServer.Json(record))));
        await AssertSameAnswer(strict, Encoding.UTF8.GetBytes(TestServer.Json(record)), HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("tf-idf")]
    [InlineData("lstm")]
    [InlineData("transformer-bpe")]
    public async Task A_model_with_a_text_reads_its_records_by_the_record_path_and_answers_as_the_table_path(string text)
    {
        var movies = TestData.Penguins() with
        {
            Target = "Major Genre",
            Data = new Lathe.Config.DataConfig { Path = TestData.Vega("movies.json") },
            Training = new Lathe.Config.TrainingConfig { Epochs = 2, Threads = 2 },
        };
        var (server, row, test) = await TrainAndServe(text switch
        {
            // Categories target-encoded too, as `lathe init` writes movies' many directors.
            "tf-idf" => movies with { Prepare = new Lathe.Config.PrepareConfig { Text = Lathe.Config.TextHandling.Words, Encode = Lathe.Config.EncodeKind.Target } },
            // The title as a sequence model's token ids (cut to 8: longer titles lose their end), beside the embedded categories.
            "lstm" => movies with { Prepare = new Lathe.Config.PrepareConfig { Text = Lathe.Config.TextHandling.Words }, Model = new Lathe.Config.ModelConfig { Kind = Lathe.Config.ModelKind.Lstm, MaxLength = 8 } },
            _ => movies with { Prepare = new Lathe.Config.PrepareConfig { Text = Lathe.Config.TextHandling.Bpe, TextVocabulary = 300 }, Model = new Lathe.Config.ModelConfig { Kind = Lathe.Config.ModelKind.Transformer, MaxLength = 12 } },
        });
        await using var served = server;
        Assert.Contains(row.Form.Fields, f => f.Type == Lathe.Data.Schema.ColumnType.Text && f.Name == "Title");
        Assert.Equal(text != "tf-idf", served.Server.Model!.Pipeline.Layout?.Texts.Count > 0);
        var read = 0;
        for (var r = 0; r < test.RowCount; r++)
        {
            var body = Encoding.UTF8.GetBytes(TestServer.Json(TestServer.Record(test, r)));
            // A director or distributor the training part never saw, or a title sent as a number, is the table path's.
            if (row.TryRead(body) is not null) read++;
            await AssertSameAnswer(server, body, HttpStatusCode.OK);
        }
        Assert.True(read >= test.RowCount * 0.8, $"{read} of {test.RowCount} test records read by the record path");
        // A missing title, one padded with spaces, "NA", one of no known word, and one in escapes.
        var record = TestServer.Record(test, 0);
        foreach (var title in new[] { null, "  The Land Girls  ", "NA", "Zzyzx Qwerty" })
        {
            record["Title"] = title;
            var body = Encoding.UTF8.GetBytes(TestServer.Json(record));
            Assert.NotNull(row.TryRead(body));
            await AssertSameAnswer(server, body, HttpStatusCode.OK);
        }
        var escaped = Encoding.UTF8.GetBytes(TestServer.Json(record).Replace("\"Zzyzx Qwerty\"", "\"The \\u004Cand Girls\""));
        Assert.NotNull(row.TryRead(escaped));
        await AssertSameAnswer(server, escaped, HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_cnn_reads_raw_pixels_by_the_record_path_and_an_image_file_or_another_size_by_the_table_path()
    {
        var (images, labels) = TestData.FashionSubset(600);
        var result = Lathe.Training.TrainingRun.Run(new Lathe.Config.PipelineConfig
        {
            Target = "label",
            Data = new Lathe.Config.DataConfig { Path = images, Labels = labels },
            Model = new Lathe.Config.ModelConfig { Kind = Lathe.Config.ModelKind.Cnn, Channels = [4], Dense = 16 },
            Training = new Lathe.Config.TrainingConfig { Epochs = 1, BatchSize = 64, Threads = 2 },
        }, TestData.TempDirectory());
        await using var server = await TestServer.Start(result.BundlePath);
        var row = server.Server.Model!.Row;
        Assert.True(row is not null, server.Server.Model.NoRowBecause);
        var pipeline = Bundle.Load(result.BundlePath).Pipeline;
        var test = (ImageColumn)result.TestRows["image"];
        for (var i = 0; i < Math.Min(test.Count, 40); i++)
        {
            var pixels = test.Pixels.AsSpan(i * 784, 784).ToArray();
            var body = Encoding.UTF8.GetBytes(TestServer.Json(new Dictionary<string, object> { ["image"] = Convert.ToBase64String(pixels), ["label"] = 3 }));
            var features = row.TryRead(body);
            Assert.NotNull(features);
            var expected = pipeline.Transform(result.TestRows.Gather([i]));
            Assert.Equal(expected.Pixels, features.Pixels);
            Assert.Equal((expected.Scale, expected.Shift), (features.Scale, features.Shift));
            await AssertSameAnswer(server, body, HttpStatusCode.OK);
        }
        foreach (var (image, status) in new[]
                 {
                     (Convert.ToBase64String(File.ReadAllBytes(TestData.Vega("7zip.png"))), HttpStatusCode.OK),
                     (Convert.ToBase64String(new byte[783]), HttpStatusCode.BadRequest),
                     (Convert.ToBase64String(new byte[784]).Insert(100, "\\n"), HttpStatusCode.OK),
                 })
        {
            var body = Encoding.UTF8.GetBytes($$"""{"image":"{{image}}"}""");
            Assert.Null(row.TryRead(body));
            await AssertSameAnswer(server, body, status);
        }
    }

    [Fact]
    public async Task A_picture_beside_a_column_is_read_by_the_record_path_and_answered_as_the_table_path()
    {
        // Real Fashion-MNIST pictures beside a category (label / 2), fused by the CNN with the category's embedding.
        var (csv, images) = TestData.FashionImageTable(600, column: ("pair", (_, label) => $"p{label / 2}"));
        var (server, row, test) = await TrainAndServe(new Lathe.Config.PipelineConfig
        {
            Target = "kind",
            Data = new Lathe.Config.DataConfig { Path = csv },
            Model = new Lathe.Config.ModelConfig { Kind = Lathe.Config.ModelKind.Cnn, Channels = [4], Dense = 16 },
            Training = new Lathe.Config.TrainingConfig { Epochs = 1, BatchSize = 64, Threads = 2 },
        });
        await using var _ = server;
        var model = server.Server.Model!;
        Assert.NotNull(model.Pipeline.Layout?.Image);
        var (files, pairs) = ((StringColumn)test["file"], (StringColumn)test["pair"]);
        // The picture as a client sends it: the base64 of its raw pixels (the CSV names its PNG file).
        string Pixels(int r) => Convert.ToBase64String(images.Pixels.AsSpan(int.Parse(Path.GetFileNameWithoutExtension(files.Values[r]!), System.Globalization.CultureInfo.InvariantCulture) * 784, 784));
        var before = server.Server.Metrics.RecordPath.Value;
        for (var r = 0; r < test.RowCount; r++)
        {
            var body = Encoding.UTF8.GetBytes(TestServer.Json(new Dictionary<string, object?> { ["file"] = Pixels(r), ["pair"] = pairs.Values[r], ["kind"] = 3 }));
            var features = row.TryRead(body);
            Assert.True(features is not null, $"test row {r} declined");
            Assert.Equal(model.Pipeline.Transform(test.Gather([r])).Values, features.Values);
            await AssertSameAnswer(server, body, HttpStatusCode.OK);
        }
        Assert.Equal(before + test.RowCount, server.Server.Metrics.RecordPath.Value);
        // What the record path leaves to the table path, answered alike: a PNG file, a pair training never saw, another size.
        foreach (var (file, pair, status) in new[]
                 {
                     (Convert.ToBase64String(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(csv)!, files.Values[0]!))), "p1", HttpStatusCode.OK),
                     (Pixels(0), "p9", HttpStatusCode.OK),
                     (Convert.ToBase64String(new byte[783]), "p1", HttpStatusCode.BadRequest),
                 })
        {
            var body = Encoding.UTF8.GetBytes(TestServer.Json(new Dictionary<string, object?> { ["file"] = file, ["pair"] = pair }));
            Assert.Null(row.TryRead(body));
            await AssertSameAnswer(server, body, status);
        }
    }

    public static TheoryData<string, string, int> Declined => new()
    {
        // What the table path takes, with a value the record path does not read itself.
        { "a number sent as a string", """{"Island":"Biscoe","Beak Length (mm)":"45.1","Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 200 },
        { "a category the model never saw", """{"Island":"Atlantis","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 200 },
        { "a category with spaces around it", """{"Island":" Biscoe ","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 200 },
        { "a yes/no in a category (the text 'true', a category the model never saw)", """{"Island":true,"Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 200 },
        { "an array of one record", """[{"Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}]""", 200 },
        // What the table path refuses, with its message.
        { "an unknown field", """{"Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE","Wingspan":3}""", 400 },
        { "a missing field", """{"Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 400 },
        { "a field twice", """{"Island":"Biscoe","Island":"Dream","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 400 },
        { "an ignored field twice", """{"Species":"Adelie","Species":"Gentoo","Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 400 },
        { "a number out of range", """{"Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000000,"Sex":"FEMALE"}""", 400 },
        { "an object as a number", """{"Island":"Biscoe","Beak Length (mm)":{"mm":45.1},"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 400 },
        { "something after the record", """{"Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"} x""", 400 },
        { "a record cut short", """{"Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Len""", 400 },
        { "a lone surrogate in a category", """{"Island":"\ud800","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 400 },
        { "a lone surrogate in a name", """{"\ud800":"Biscoe","Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 400 },
        { "a lone surrogate in an ignored field", """{"Species":"\ud800","Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 400 },
        { "nesting past the limit in an ignored field", """{"Species":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]],"Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""", 400 },
    };

    [Theory]
    [MemberData(nameof(Declined))]
    public async Task A_record_the_record_path_cannot_answer_as_the_table_path_would_is_declined_and_the_table_path_answers_it(string what, string json, int status)
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        var body = Encoding.UTF8.GetBytes(json);
        Assert.True(server.Server.Model!.Row!.TryRead(body) is null, $"{what}: read by the record path");
        await AssertSameAnswer(server, body, (HttpStatusCode)status);
    }

    [Fact]
    public async Task Ignored_fields_of_any_kind_nulls_and_escapes_are_read_by_the_record_path()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath);
        foreach (var json in new[]
                 {
                     """{"Species":{"genus":"Pygoscelis","seen":[1,2.5,null,true]},"Island":"Biscoe","Beak Length (mm)":null,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":null}""",
                     // What System.Text.Json writes for an apostrophe, and escapes in a name and a category.
                     """{"Species":"Ad\u00e9lie\u0027s","Isl\u0061nd":"Bisco\u0065","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""",
                 })
        {
            var body = Encoding.UTF8.GetBytes(json);
            Assert.NotNull(server.Server.Model!.Row!.TryRead(body));
            await AssertSameAnswer(server, body, HttpStatusCode.OK);
        }
        // Not UTF-8 anywhere in the body: refused, as the table path refuses it.
        var broken = Encoding.UTF8.GetBytes("""{"Species":"X","Island":"Biscoe","Beak Length (mm)":45.1,"Beak Depth (mm)":14.5,"Flipper Length (mm)":215,"Body Mass (g)":5000,"Sex":"FEMALE"}""");
        broken[13] = 0xFF;
        Assert.Null(server.Server.Model!.Row!.TryRead(broken));
        await AssertSameAnswer(server, broken, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_record_over_the_body_limit_is_refused_as_the_table_path_refuses_it()
    {
        await using var server = await TestServer.Start(run.Result.BundlePath, options => options with { MaxBodyBytes = 64 });
        var body = Encoding.UTF8.GetBytes(TestServer.Json(TestServer.Record(Test, 0)));
        Assert.NotNull(server.Server.Model!.Row!.TryRead(body));
        // Kestrel closes a connection after refusing its body: a second request must not race that close on it.
        server.Client.DefaultRequestHeaders.ConnectionClose = true;
        await AssertSameAnswer(server, body, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task With_a_prediction_log_the_record_path_answers_and_logs_each_record_as_the_table_path_logs_it()
    {
        var bodies = Enumerable.Range(0, Test.RowCount).Select(r => Encoding.UTF8.GetBytes(TestServer.Json(TestServer.Record(Test, r)))).ToList();
        // An ignored field with a nested value, escapes in a name and a category: the log writes the record as read, not as sent.
        bodies.Add(Encoding.UTF8.GetBytes("""{"Species":{"genus":"Pygoscelis","seen":[1,2.5,null,true]},"Isl\u0061nd":"Bisco\u0065","Beak Length (mm)":null,"Beak Depth (mm)":14.50,"Flipper Length (mm)":215,"Body Mass (g)":5e3,"Sex":null}"""));
        var logs = new List<string[]>();
        foreach (var mediaType in new[] { "application/json", TablePathJson })
        {
            var folder = TestData.TempDirectory();
            await using (var server = await TestServer.Start(run.Result.BundlePath, o => o with { PredictionLog = folder }))
            {
                foreach (var body in bodies)
                {
                    if (mediaType == "application/json") Assert.NotNull(server.Server.Model!.Row!.TryRead(body));
                    var answer = await server.Post(body, mediaType);
                    Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
                }
                Assert.Equal(mediaType == "application/json" ? bodies.Count : 0, server.Server.Metrics.RecordPath.Value);
            }
            var lines = Directory.GetFiles(folder, "predictions-*.jsonl").SelectMany(File.ReadAllLines).ToArray();
            Assert.Equal(bodies.Count, lines.Length);
            logs.Add([.. lines.Select(line =>
            {
                // Time and latency differ from run to run; the version, the record and the answer must not.
                var entry = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
                Assert.True(entry["latency_ms"]!.GetValue<double>() > 0, line);
                entry.Remove("time");
                entry.Remove("latency_ms");
                return entry.ToJsonString();
            }).Order(StringComparer.Ordinal)]);
        }
        Assert.Equal(logs[1], logs[0]);
        Assert.Contains(logs[0], line => line.Contains("\"Island\":\"Biscoe\",\"Beak Length (mm)\":null,\"Beak Depth (mm)\":14.5,", StringComparison.Ordinal));
    }

    /// <summary>Trains <paramref name="config"/> with small hidden layers (a small MLP where it names no model kind) and serves
    /// it: the server, its record path (which must be there) and the test rows.</summary>
    private static async Task<(TestServer Server, RecordRow Row, Table Test)> TrainAndServe(Lathe.Config.PipelineConfig config)
    {
        var model = config.Model.Kind == Lathe.Config.ModelKind.Auto
            ? new Lathe.Config.ModelConfig { Kind = Lathe.Config.ModelKind.Mlp, Layers = [16] }
            : config.Model with { Layers = [16] };
        var result = Lathe.Training.TrainingRun.Run(config with { Model = model }, TestData.TempDirectory());
        var server = await TestServer.Start(result.BundlePath);
        var row = server.Server.Model!.Row;
        Assert.True(row is not null, server.Server.Model.NoRowBecause);
        return (server, row, result.TestRows);
    }

    /// <summary>Every test record, as a client sends it: read by the record path, and answered by it byte for byte as the
    /// table path answers it.</summary>
    private static async Task AssertEveryTestRecordReadAndAnswered(TestServer server, RecordRow row, Table test)
    {
        var before = server.Server.Metrics.RecordPath.Value;
        for (var r = 0; r < test.RowCount; r++)
        {
            var body = Encoding.UTF8.GetBytes(TestServer.Json(TestServer.Record(test, r)));
            Assert.True(row.TryRead(body) is not null, $"test row {r} declined: {Encoding.UTF8.GetString(body)}; the table path answers {await (await server.Post(body, TablePathJson)).Content.ReadAsStringAsync()}");
            await AssertSameAnswer(server, body, HttpStatusCode.OK);
        }
        Assert.Equal(before + test.RowCount, server.Server.Metrics.RecordPath.Value);
    }

    /// <summary>The body as application/json (the record path, where it reads it) and as a +json type (the table path):
    /// the same status, media type and bytes.</summary>
    private static async Task AssertSameAnswer(TestServer server, byte[] body, HttpStatusCode expectStatus)
    {
        var viaRecord = await server.Post(body, "application/json");
        var viaTable = await server.Post(body, TablePathJson);
        var recordBody = await viaRecord.Content.ReadAsStringAsync();
        Assert.True(expectStatus == viaRecord.StatusCode, $"{(int)viaRecord.StatusCode}: {recordBody}");
        Assert.Equal(viaTable.StatusCode, viaRecord.StatusCode);
        Assert.Equal(viaTable.Content.Headers.ContentType?.MediaType, viaRecord.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await viaTable.Content.ReadAsStringAsync(), recordBody);
    }
}
