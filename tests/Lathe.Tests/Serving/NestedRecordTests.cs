using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Lathe.Config;
using Lathe.Training;

namespace Lathe.Tests.Serving;

/// <summary>Records with a nested object: a data file's nested fields are columns named by their path, and the server
/// takes a record nested as the file has it, or flat with those names, or as CSV, alike.</summary>
public class NestedRecordTests
{
    [Fact]
    public async Task A_model_trained_on_nested_records_answers_them_nested_flat_and_as_csv_alike()
    {
        // penguins.json with the beak's two measurements in one object: {"beak": {"length": 39.1, "depth": 18.7}}.
        var folder = TestData.TempDirectory();
        var penguins = JsonNode.Parse(File.ReadAllText(TestData.Vega("penguins.json")))!.AsArray();
        var nested = new JsonArray();
        foreach (var penguin in penguins)
        {
            var record = penguin!.AsObject();
            var beak = new JsonObject { ["length"] = record["Beak Length (mm)"]?.DeepClone(), ["depth"] = record["Beak Depth (mm)"]?.DeepClone() };
            record.Remove("Beak Length (mm)");
            record.Remove("Beak Depth (mm)");
            record["beak"] = beak;
            nested.Add(record.DeepClone());
        }
        var data = Path.Combine(folder, "penguins-nested.json");
        File.WriteAllText(data, nested.ToJsonString());
        var result = TrainingRun.Run(TestData.Penguins() with
        {
            Data = new DataConfig { Path = data },
            Training = new TrainingConfig { Epochs = 5, BatchSize = 32, Threads = 2 },
        }, Path.Combine(folder, "run"));
        Assert.Contains("beak.length", result.TestRows.ColumnNames);

        await using var server = await TestServer.Start(result.BundlePath);
        var fields = JsonNode.Parse(await server.Client.GetStringAsync("/v1/model"))!["input"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()).ToArray();
        Assert.Contains("beak.length", fields);
        Assert.Contains("beak.depth", fields);

        var asFiled = (JsonObject)nested[0]!.DeepClone();
        asFiled.Remove("Species");
        var answer = await Answer(await server.PostJson(asFiled.ToJsonString()));
        // Read by the record path, nested or flat: one record a request.
        var recordPath = server.Server.Metrics.RecordPath;
        Assert.Equal(1, recordPath.Value);
        // The same record flat, by the columns' names; and as CSV (the table path).
        var flat = new JsonObject { ["Island"] = "Torgersen", ["beak.length"] = 39.1, ["beak.depth"] = 18.7, ["Flipper Length (mm)"] = 181, ["Body Mass (g)"] = 3750, ["Sex"] = "MALE" };
        Assert.Equal(answer, await Answer(await server.PostJson(flat.ToJsonString())));
        Assert.Equal(2, recordPath.Value);
        var csv = "Island,beak.length,beak.depth,Flipper Length (mm),Body Mass (g),Sex\nTorgersen,39.1,18.7,181,3750,MALE\n";
        Assert.Equal(answer, await Answer(await server.Post(Encoding.UTF8.GetBytes(csv), "text/csv")));
        // The target sent along as an object of its own is ignored like the target itself.
        asFiled["Species"] = new JsonObject { ["genus"] = "Pygoscelis", ["name"] = "Adelie" };
        Assert.Equal(answer, await Answer(await server.PostJson(asFiled.ToJsonString())));
        Assert.Equal(3, recordPath.Value);
        // Every test record as the file nests it: the record path's answer, byte for byte the table path's (a CSV body
        // of the same row goes the table path), and every one read by the record path.
        var test = result.TestRows;
        for (var r = 0; r < test.RowCount; r++)
        {
            var record = new JsonObject { ["Island"] = Text(test, "Island", r), ["Sex"] = Text(test, "Sex", r),
                ["Flipper Length (mm)"] = Number(test, "Flipper Length (mm)", r), ["Body Mass (g)"] = Number(test, "Body Mass (g)", r),
                ["beak"] = new JsonObject { ["length"] = Number(test, "beak.length", r), ["depth"] = Number(test, "beak.depth", r) } };
            var row = string.Join(",", new[] { "Island", "beak.length", "beak.depth", "Flipper Length (mm)", "Body Mass (g)", "Sex" }.Select(c => test.RowText(r).Split(',')[Array.IndexOf(test.ColumnNames.ToArray(), c)]));
            var tablePath = await Answer(await server.Post(Encoding.UTF8.GetBytes("Island,beak.length,beak.depth,Flipper Length (mm),Body Mass (g),Sex\n" + row + "\n"), "text/csv"));
            Assert.Equal(tablePath, await Answer(await server.PostJson(record.ToJsonString())));
        }
        Assert.Equal(3 + test.RowCount, recordPath.Value);

        // A nested field left out is named by its path; the same field both nested and flat is refused.
        var partial = (JsonObject)asFiled.DeepClone();
        partial["beak"]!.AsObject().Remove("depth");
        var (status, _, _, body) = await TestServer.Problem(await server.PostJson(partial.ToJsonString()));
        Assert.Equal(400, status);
        Assert.True(body.GetProperty("errors").TryGetProperty("beak.depth", out _), body.ToString());
        var twice = (JsonObject)asFiled.DeepClone();
        twice["beak.depth"] = 18.7;
        (status, _, _, body) = await TestServer.Problem(await server.PostJson(twice.ToJsonString()));
        Assert.Equal(400, status);
        Assert.Contains("'beak.depth' appears twice", body.GetProperty("detail").GetString());
    }

    private static string? Text(Lathe.Data.Table table, string column, int row) => ((Lathe.Data.StringColumn)table[column]).Values[row] is { Length: > 0 } text ? text : null;

    private static double? Number(Lathe.Data.Table table, string column, int row) =>
        table[column] is Lathe.Data.NumericColumn numbers ? (double.IsNaN(numbers.Values[row]) ? null : numbers.Values[row]) : double.Parse(((Lathe.Data.StringColumn)table[column]).Values[row]!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A 200 answer's prediction and probabilities (the model's version aside; a CSV body's one record taken
    /// out of its list).</summary>
    private static async Task<string> Answer(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var answer = JsonNode.Parse(text)!.AsObject();
        if (answer["predictions"] is JsonArray { Count: 1 } list && list[0] is JsonObject one) answer = one.DeepClone().AsObject();
        answer.Remove("model_version");
        return answer.ToJsonString();
    }
}
