using Lathe.Bundles;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Tests.Bundles;

namespace Lathe.Tests.Cli;

[Collection(PenguinsCollection.Name)]
public class PredictCommandTests(PenguinsRun run)
{
    [Fact]
    public void Predict_streams_penguins_to_csv_and_parquet_with_the_whole_tables_predictions()
    {
        var dir = TestData.TempDirectory();
        var data = JsonRecords.ToCsv(TestData.Vega("penguins.json"), Path.Combine(dir, "penguins.csv"));
        var bundle = Bundle.Load(run.Result.BundlePath);
        using var predictor = bundle.CreatePredictor();
        var whole = predictor.Predict(DataSource.Open(data).Read());
        var expected = new StringWriter();
        whole.WriteCsv(expected, bundle.Manifest.Target);

        var csv = LatheProcess.Run(dir, "predict", run.Result.BundlePath, "--data", data, "--out", "predictions.csv", "--batch-rows", "50");
        Assert.True(csv.ExitCode == 0, csv.Error);
        Assert.Contains("Predicted 344 rows; wrote predictions.csv.", csv.Out);
        Assert.Equal(expected.ToString(), File.ReadAllText(Path.Combine(dir, "predictions.csv")));
        Assert.Equal("predicted_Species,p_Adelie,p_Chinstrap,p_Gentoo", File.ReadLines(Path.Combine(dir, "predictions.csv")).First());

        var parquet = LatheProcess.Run(dir, "predict", run.Result.BundlePath, "--data", data, "--out", "predictions.parquet", "--batch-rows", "50");
        Assert.True(parquet.ExitCode == 0, parquet.Error);
        var groups = new ParquetSource(Path.Combine(dir, "predictions.parquet")).ReadBatches(100_000).ToList();
        Assert.Equal([256, 88], groups.Select(g => g.RowCount));
        var table = Table.Concat(groups);
        Assert.Equal(["predicted_Species", "p_Adelie", "p_Chinstrap", "p_Gentoo"], table.ColumnNames);
        Assert.Equal(whole.Labels, Assert.IsType<StringColumn>(table["predicted_Species"]).Values);
        for (var k = 0; k < 3; k++)
        {
            var read = Assert.IsType<NumericColumn>(table[$"p_{whole.Classes[k]}"]).Values;
            Assert.Equal(Enumerable.Range(0, 344).Select(i => whole.Probabilities[i * 3 + k]), read.Select(v => (float)v));
        }
    }

    [Fact]
    public void Threads_sets_the_engines_thread_count_and_a_negative_count_is_refused()
    {
        var dir = TestData.TempDirectory();
        var data = TestData.Vega("penguins.json");
        using var predictor = Bundle.Load(run.Result.BundlePath).CreatePredictor();
        var whole = predictor.Predict(DataSource.Open(data).Read());

        var one = LatheProcess.Run(dir, "predict", run.Result.BundlePath, "--data", data, "--out", "one.csv", "--threads", "1");
        Assert.True(one.ExitCode == 0, one.Error);
        Assert.Equal(whole.Labels, File.ReadLines(Path.Combine(dir, "one.csv")).Skip(1).Select(line => line.Split(',')[0]));

        var negative = LatheProcess.Run(dir, "predict", run.Result.BundlePath, "--data", data, "--out", "negative.csv", "--threads", "-2");
        Assert.Equal(1, negative.ExitCode);
        Assert.Contains("--threads -2: must be 0 (every core) or more", negative.Error);
        Assert.False(File.Exists(Path.Combine(dir, "negative.csv")));
    }

    [Theory]
    [InlineData("surplus", "penguins.csv line 321: expected 7 fields as in the header, found 8")]
    [InlineData("mass", "penguins.csv line 321, column 'Body Mass (g)': 'heavy' is not a number")]
    public void A_bad_row_mid_file_exits_1_naming_the_line_and_leaves_no_output(string damage, string message)
    {
        var dir = TestData.TempDirectory();
        var data = JsonRecords.ToCsv(TestData.Vega("penguins.json"), Path.Combine(dir, "penguins.csv"));
        var lines = File.ReadAllLines(data);
        lines[320] = damage == "surplus" ? lines[320] + ",surplus" : string.Join(",", lines[320].Split(',').Select((f, i) => i == 5 ? "heavy" : f));
        File.WriteAllLines(data, lines);
        foreach (var output in new[] { "predictions.csv", "predictions.parquet" })
        {
            var predict = LatheProcess.Run(dir, "predict", run.Result.BundlePath, "--data", data, "--out", output, "--batch-rows", "50");
            Assert.Equal(1, predict.ExitCode);
            Assert.Contains(message, predict.Error);
            Assert.False(File.Exists(Path.Combine(dir, output)), $"{output} was written");
        }
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void With_bad_rows_the_rows_that_cannot_be_predicted_are_listed_there_and_left_empty_in_the_output()
    {
        var dir = TestData.TempDirectory();
        var data = JsonRecords.ToCsv(TestData.Vega("penguins.json"), Path.Combine(dir, "penguins.csv"));
        var lines = File.ReadAllLines(data);
        lines[100] = string.Join(",", lines[100].Split(',').Select((f, i) => i == 5 ? "heavy" : f));
        lines[320] += ",surplus";
        File.WriteAllLines(data, lines);
        var clean = Path.Combine(dir, "clean.csv");
        File.WriteAllLines(clean, lines.Where((_, i) => i != 100 && i != 320));
        using var predictor = Bundle.Load(run.Result.BundlePath).CreatePredictor();
        var expected = predictor.Predict(DataSource.Open(clean).Read());
        Assert.Equal(342, expected.Count);

        foreach (var output in new[] { "predictions.csv", "predictions.parquet" })
        {
            var predict = LatheProcess.Run(dir, "predict", run.Result.BundlePath, "--data", data, "--out", output, "--bad-rows", "bad-rows.csv", "--batch-rows", "50");
            Assert.True(predict.ExitCode == 0, predict.Error);
            Assert.Contains("Predicted 342 rows", predict.Out);
            Assert.Contains("2 row(s) could not be predicted", Flat(predict.Out));
            Assert.Contains("penguins.csv line 101: column 'Body Mass (g)': 'heavy' is not a number", Flat(predict.Out));
            var list = File.ReadAllLines(Path.Combine(dir, "bad-rows.csv"));
            Assert.Equal(3, list.Length);
            Assert.Equal("line,reason,raw", list[0]);
            Assert.StartsWith("101,column 'Body Mass (g)': 'heavy' is not a number,", list[1]);
            Assert.StartsWith("321,\"expected 7 fields as in the header, found 8\",", list[2]);
            // One output row per input row: the two set aside empty (null in Parquet), the rest as in a file without them.
            var table = output.EndsWith(".csv") ? DataSource.Open(Path.Combine(dir, output)).Read() : Table.Concat(new ParquetSource(Path.Combine(dir, output)).ReadBatches(100_000).ToList());
            Assert.Equal(344, table.RowCount);
            var labels = Assert.IsType<StringColumn>(table["predicted_Species"]).Values;
            // Missing: an empty field as CSV reads, null in Parquet.
            Assert.True(string.IsNullOrEmpty(labels[99]) && string.IsNullOrEmpty(labels[319]));
            Assert.Equal(expected.Labels, labels.Where((_, i) => i != 99 && i != 319));
            var adelie = Assert.IsType<NumericColumn>(table["p_Adelie"]).Values;
            Assert.True(double.IsNaN(adelie[99]) && double.IsNaN(adelie[319]));
            Assert.Equal(Enumerable.Range(0, 342).Select(i => expected.Probabilities[i * 3]), adelie.Where((_, i) => i != 99 && i != 319).Select(v => (float)v));
        }

        var same = LatheProcess.Run(dir, "predict", run.Result.BundlePath, "--data", data, "--out", "same.csv", "--bad-rows", "same.csv");
        Assert.Equal(1, same.ExitCode);
        Assert.Contains("--bad-rows same.csv is the --out file too", same.Error);
        Assert.False(File.Exists(Path.Combine(dir, "same.csv")));
    }

    /// <summary>The console's text with its line wrapping undone.</summary>
    private static string Flat(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.TrimEntries));

    [Fact]
    public void An_unknown_output_extension_or_an_empty_batch_exits_1_with_what_to_use()
    {
        var dir = TestData.TempDirectory();
        var extension = LatheProcess.Run(dir, "predict", run.Result.BundlePath, "--data", TestData.Vega("penguins.json"), "--out", "predictions.xlsx");
        Assert.Equal(1, extension.ExitCode);
        Assert.Contains("predictions.xlsx: cannot tell the output format from the extension '.xlsx' — name the file .csv or .parquet", extension.Error);
        var batch = LatheProcess.Run(dir, "predict", run.Result.BundlePath, "--data", TestData.Vega("penguins.json"), "--out", "predictions.csv", "--batch-rows", "0");
        Assert.Equal(1, batch.ExitCode);
        Assert.Contains("--batch-rows 0: a batch needs at least 1 row", batch.Error);
        Assert.Empty(Directory.GetFiles(dir));
    }
}
