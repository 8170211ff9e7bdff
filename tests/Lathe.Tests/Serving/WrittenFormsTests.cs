using System.Net;
using System.Text;
using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Tests.Cli;
using Lathe.Training;

namespace Lathe.Tests.Serving;

/// <summary>A model trained on a file written with day-first dates or decimal commas records what the reader found, so
/// that a few rows written the same way — too few to tell the order of "05/06/2012" — are read as the training file was,
/// by <c>lathe predict</c> and by <c>lathe serve</c> (a semicolon-split CSV body, or a JSON string).</summary>
public class WrittenFormsTests
{
    private static readonly string[] Weather = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));

    /// <summary>seattle-weather.csv's lines with the date written day first with slashes ("05/06/2012"), and with
    /// <paramref name="french"/> split by semicolons with decimal commas.</summary>
    private static IEnumerable<string> Written(IEnumerable<string> lines, bool french) => lines.Select(line =>
    {
        var f = line.Split(',');
        if (f[0] == "date") return french ? line.Replace(',', ';') : line;
        string[] fields = [$"{f[0][8..10]}/{f[0][5..7]}/{f[0][..4]}", .. french ? f[1..].Select(v => v.Replace('.', ',')) : f[1..]];
        return string.Join(french ? ";" : ",", fields);
    });

    /// <summary>The first twelve days of May 2012: every date reads as a date either way round.</summary>
    private static readonly string[] May = [Weather[0], .. Weather.Where(l => l.StartsWith("2012-05-") && int.Parse(l[8..10]) <= 12)];

    private static TrainResult Train(string path) => TrainingRun.Run(new PipelineConfig
    {
        Target = "weather",
        Seed = 5,
        Data = new DataConfig { Path = path },
        Model = new ModelConfig { Layers = [16] },
        Training = new TrainingConfig { Epochs = 3, BatchSize = 64, Threads = 2 },
    }, TestData.TempDirectory());

    [Fact]
    public void Predict_reads_a_few_british_dates_day_first_as_the_training_file_was()
    {
        var dir = TestData.TempDirectory();
        var british = Path.Combine(dir, "seattle-uk.csv");
        File.WriteAllLines(british, Written(Weather, french: false));
        var run = Train(british);
        var layout = Bundle.Load(run.BundlePath).TrainingLayout;
        Assert.Equal((DateOrder.DayFirst, DecimalMark.Auto), (layout.Dates, layout.Decimal));

        var few = Path.Combine(dir, "may-uk.csv");
        File.WriteAllLines(few, Written(May, french: false));
        var iso = Path.Combine(dir, "may.csv");
        File.WriteAllLines(iso, May);
        Assert.Equal(13, File.ReadAllLines(few).Length);
        // Alone, the twelve rows say nothing of the order and read month first: 06/05/2012 as 5 June; with the training
        // file's layout, as 6 May.
        var alone = ((StringColumn)DataSource.Open(few).Read()["date"]).Values[5]!;
        Assert.True(Lathe.Data.Schema.Values.TryDate(alone, out var june) && june == new DateTime(2012, 6, 5), alone);
        Assert.Equal("2012-05-06", ((StringColumn)DataSource.Open(few, layout: layout).Read()["date"]).Values[5]);

        var fromFew = LatheProcess.Run(dir, "predict", run.BundlePath, "--data", few, "--out", "few.csv");
        Assert.True(fromFew.ExitCode == 0, fromFew.Error);
        var fromIso = LatheProcess.Run(dir, "predict", run.BundlePath, "--data", iso, "--out", "iso.csv");
        Assert.True(fromIso.ExitCode == 0, fromIso.Error);
        Assert.Equal(File.ReadAllLines(Path.Combine(dir, "iso.csv")), File.ReadAllLines(Path.Combine(dir, "few.csv")));

        // Told the month comes first, predict reads them so, and the date parts the model takes differ.
        var told = LatheProcess.Run(dir, "predict", run.BundlePath, "--data", few, "--dates", "month_first", "--out", "told.csv");
        Assert.True(told.ExitCode == 0, told.Error);
        Assert.NotEqual(File.ReadAllLines(Path.Combine(dir, "iso.csv")), File.ReadAllLines(Path.Combine(dir, "told.csv")));
    }

    [Fact]
    public async Task Serve_reads_a_french_csv_body_and_day_first_strings_as_the_training_file_was()
    {
        var dir = TestData.TempDirectory();
        var french = Path.Combine(dir, "seattle-fr.csv");
        File.WriteAllLines(french, Written(Weather, french: true));
        Assert.Contains("03/01/2012;0,8;11,7;7,2;2,3;rain", File.ReadAllText(french));
        var run = Train(french);
        var layout = Bundle.Load(run.BundlePath).TrainingLayout;
        Assert.Equal((DateOrder.DayFirst, DecimalMark.Comma), (layout.Dates, layout.Decimal));

        await using var server = await TestServer.Start(run.BundlePath);
        var rows = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var first = Array.FindIndex(((StringColumn)rows["date"]).Values, d => d == "2012-05-01");
        // The twelve rows as the original writes them, in one request (one pass of twelve rows, as the CSV body's).
        var response = await server.PostJson(TestServer.Json(Enumerable.Range(first, 12).Select(r => TestServer.Record(rows, r)).ToArray()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var original = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var expected = original.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("probabilities").ToString()).ToArray();

        // The same twelve days as the French file writes them, as a CSV body split by semicolons.
        var body = string.Join("\n", Written(May, french: true));
        Assert.Contains("06/05/2012;0,0;17,8;5,0;2,4;sun", body);
        Assert.Contains(",", body);
        var csv = await server.Post(Encoding.UTF8.GetBytes(body), "text/csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        using var answer = JsonDocument.Parse(await csv.Content.ReadAsStringAsync());
        var predictions = answer.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(12, predictions.Length);
        for (var r = 0; r < 12; r++) Assert.Equal(expected[r], predictions[r].GetProperty("probabilities").ToString());

        // A JSON record's date string is read day first too, and its decimal-comma string as the number it is.
        var record = TestServer.Record(rows, first + 5);
        var single = await server.PostJson(TestServer.Json(record));
        using var singleAnswer = JsonDocument.Parse(await single.Content.ReadAsStringAsync());
        var sixthOfMay = singleAnswer.RootElement.GetProperty("probabilities").ToString();
        record["date"] = "06/05/2012";
        record["wind"] = ((double)record["wind"]!).ToString("R", System.Globalization.CultureInfo.InvariantCulture).Replace('.', ',');
        var json = await server.PostJson(TestServer.Json(record));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        using var jsonAnswer = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal(sixthOfMay, jsonAnswer.RootElement.GetProperty("probabilities").ToString());

        // Sent month first as 5 June would be, the date is another day and the answer another.
        record["date"] = "05/06/2012";
        var other = await server.PostJson(TestServer.Json(record));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        using var otherAnswer = JsonDocument.Parse(await other.Content.ReadAsStringAsync());
        Assert.NotEqual(sixthOfMay, otherAnswer.RootElement.GetProperty("probabilities").ToString());

        // No date either way round is refused, saying how the model takes dates.
        record["date"] = "32/05/2012";
        var (status, _, _, problem) = await TestServer.Problem(await server.PostJson(TestServer.Json(record)));
        Assert.Equal(400, status);
        Assert.Equal("'32/05/2012' is not a date (ISO 8601, e.g. 2024-05-01 or 2024-05-01T13:45:00, or day first as the training file wrote them, e.g. 01/05/2024)",
            problem.GetProperty("errors").GetProperty("date")[0].GetString());
    }
}
