using System.Text.Json;
using Lathe.Bundles;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Evaluation;
using Lathe.Tests.Bundles;

namespace Lathe.Tests.Cli;

[Collection(PenguinsCollection.Name)]
public class EvaluateCommandTests(PenguinsRun run)
{
    [Fact]
    public void With_bad_rows_the_rows_that_cannot_be_scored_are_listed_and_the_rest_scored_as_a_file_without_them()
    {
        var dir = TestData.TempDirectory();
        var data = JsonRecords.ToCsv(TestData.Vega("penguins.json"), Path.Combine(dir, "penguins.csv"));
        var lines = File.ReadAllLines(data);
        string Set(string line, int field, string value) => string.Join(",", line.Split(',').Select((f, i) => i == field ? value : f));
        lines[30] = Set(lines[30], 0, "Emperor");       // a class the model was not trained on
        lines[100] = Set(lines[100], 5, "heavy");       // not a number
        lines[200] = Set(lines[200], 0, "");            // no label: left out and counted, as always
        lines[320] += ",surplus";                       // a field too many
        File.WriteAllLines(data, lines);
        var clean = Path.Combine(dir, "clean.csv");
        File.WriteAllLines(clean, lines.Where((_, i) => i is not (30 or 100 or 200 or 320)));

        var expected = Evaluator.Evaluate(Bundle.Load(run.Result.BundlePath), DataSource.Open(clean).Read());
        Assert.Equal(340, expected.Rows);

        var evaluate = LatheProcess.Run(dir, "evaluate", run.Result.BundlePath, "--data", data, "--out", "evaluation", "--bad-rows", "bad-rows.csv");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        var said = string.Join(" ", evaluate.Out.Split('\n', StringSplitOptions.TrimEntries));
        Assert.Contains("3 row(s) could not be scored", said);
        Assert.Contains("penguins.csv line 31: the target 'Species' is 'Emperor', a class the model was not trained on (it knows: Adelie, Chinstrap, Gentoo)", said);
        var list = File.ReadAllLines(Path.Combine(dir, "bad-rows.csv"));
        Assert.Equal("line,reason,raw", list[0]);
        Assert.Equal(["31", "101", "321"], list.Skip(1).Select(l => l.Split(',')[0]));
        Assert.StartsWith("31,\"the target 'Species' is 'Emperor', a class the model was not trained on", list[1]);
        Assert.StartsWith("101,column 'Body Mass (g)': 'heavy' is not a number,", list[2]);
        Assert.StartsWith("321,\"expected 7 fields as in the header, found 8\",", list[3]);

        // The others are scored exactly as the file without the four rows is.
        using var metrics = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "evaluation", "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal(340, root.GetProperty("rows").GetInt32());
        Assert.Equal(1, root.GetProperty("dropped_missing_target").GetInt32());
        Assert.Equal(3, root.GetProperty("set_aside").GetInt32());
        foreach (var (name, value) in expected.Test)
            Assert.Equal(value, root.GetProperty("test").GetProperty(name).GetDouble());
        Assert.True(File.Exists(Path.Combine(dir, "evaluation", "report.html")));

        // Without the option the first row that cannot be scored stops it, naming the line, and nothing is written.
        var stopped = LatheProcess.Run(dir, "evaluate", run.Result.BundlePath, "--data", data, "--out", "stopped");
        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("penguins.csv line 321: expected 7 fields as in the header, found 8", stopped.Error);
        Assert.False(Directory.Exists(Path.Combine(dir, "stopped")) && Directory.EnumerateFiles(Path.Combine(dir, "stopped")).Any());
        File.WriteAllLines(data, lines.Where((_, i) => i is not (100 or 320)));
        var unknown = LatheProcess.Run(dir, "evaluate", run.Result.BundlePath, "--data", data, "--out", "stopped");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("the target 'Species' is 'Emperor', a class the model was not trained on", unknown.Error);

        var same = LatheProcess.Run(dir, "evaluate", run.Result.BundlePath, "--data", data, "--out", "evaluation", "--bad-rows", "evaluation/metrics.json");
        Assert.Equal(1, same.ExitCode);
        Assert.Contains("is one of the evaluation's own files", same.Error);
    }

    [Fact]
    public void Labels_that_cannot_be_scored_are_found_for_every_kind_of_target()
    {
        var table = new Lathe.Data.Table([
            new Lathe.Data.StringColumn("kind", ["a", "b", "z", null, " a "]),
            new Lathe.Data.StringColumn("price", ["1.5", "cheap", "", "3", "n/a"]),
            new Lathe.Data.StringColumn("red", ["1", "yes", "maybe", "0", "2"]),
        ], "rows.csv");
        var classes = new FittedTarget("kind", Lathe.Config.TaskKind.Classification, ["a", "b"], 0, 1);
        Assert.Equal([(2, "the target 'kind' is 'z', a class the model was not trained on (it knows: a, b)")], classes.BadLabels(table));
        var regression = new FittedTarget("price", Lathe.Config.TaskKind.Regression, [], 0, 1);
        Assert.Equal([(1, "the target 'price' is 'cheap', not a number — a regression target must be numeric")], regression.BadLabels(table));
        var labels = new FittedTarget("red", Lathe.Config.TaskKind.Multilabel, ["red"], 0, 1);
        Assert.Equal([2, 4], labels.BadLabels(table).Select(b => b.Row));
    }
}
