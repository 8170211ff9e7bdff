using System.Text.Json.Nodes;

namespace Lathe.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Init_then_train_evaluate_and_predict_on_penguins_end_to_end()
    {
        var dir = TestData.TempDirectory();
        var data = TestData.Vega("penguins.json");

        var init = LatheProcess.Run(dir, "init", "--data", data, "--target", "Species");
        Assert.True(init.ExitCode == 0, init.Error);
        Assert.Contains("task classification", init.Out);
        var config = File.ReadAllText(Path.Combine(dir, "config.yaml"));
        Assert.Contains("# The column to predict.", config);
        Assert.Contains("target: Species", config);

        var train = LatheProcess.Run(dir, "train", "config.yaml", "--out", "run");
        Assert.True(train.ExitCode == 0, train.Error);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run", "metrics.json")))!;
        Assert.True(metrics["test"]!["accuracy"]!.GetValue<double>() >= 0.97);
        Assert.True(File.Exists(Path.Combine(dir, "run", "config.resolved.yaml")));

        var evaluate = LatheProcess.Run(dir, "evaluate", "run/model.lathe", "--data", data, "--out", "eval");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        var evaluation = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "eval", "metrics.json")))!;
        Assert.Equal(344, evaluation["rows"]!.GetValue<int>());
        Assert.True(evaluation["test"]!["accuracy"]!.GetValue<double>() >= 0.95);

        var predict = LatheProcess.Run(dir, "predict", "run/model.lathe", "--data", data, "--out", "predictions.csv");
        Assert.True(predict.ExitCode == 0, predict.Error);
        var lines = File.ReadAllLines(Path.Combine(dir, "predictions.csv"));
        Assert.Equal("predicted_Species,p_Adelie,p_Chinstrap,p_Gentoo", lines[0]);
        Assert.Equal(345, lines.Length);
        var first = lines[1].Split(',');
        Assert.Equal("Adelie", first[0]);
        Assert.Equal(1.0, first.Skip(1).Sum(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture)), 1e-5);
    }

    [Fact]
    public void A_misspelled_key_exits_1_with_the_fix_and_no_stack_trace()
    {
        var dir = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "bad.yaml"), $"target: Species\ndata:\n  path: {TestData.Vega("penguins.json")}\ntrainig:\n  epochs: 3\n");
        var run = LatheProcess.Run(dir, "train", "bad.yaml");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("bad.yaml:4: unknown key 'trainig' — did you mean 'training'?", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.False(Directory.Exists(Path.Combine(dir, "runs")));
    }

    [Fact]
    public void A_target_that_is_not_a_column_exits_1_naming_the_nearest_column()
    {
        var run = LatheProcess.Run(TestData.TempDirectory(), "init", "--data", TestData.Vega("penguins.json"), "--target", "species");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no target column named 'species' — did you mean 'Species'?", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public void A_corrupt_bundle_exits_1_naming_the_entry()
    {
        var dir = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "model.lathe"), "this is not a bundle");
        var run = LatheProcess.Run(dir, "predict", "model.lathe", "--data", TestData.Vega("penguins.json"), "--out", "p.csv");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not a readable Lathe bundle", run.Error);
        Assert.False(File.Exists(Path.Combine(dir, "p.csv")));
    }

    [Fact]
    public void Help_and_version_list_the_verbs()
    {
        var help = LatheProcess.Run(TestData.TempDirectory(), "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var verb in new[] { "init", "train", "evaluate", "predict" }) Assert.Contains(verb, help.Out);
        var version = LatheProcess.Run(TestData.TempDirectory(), "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith(LatheInfo.Version, version.Out.Trim());
    }

    [Fact]
    public void Other_real_tables_train_with_no_hand_edits()
    {
        foreach (var (file, target) in new[] { ("seattle-weather.csv", "weather"), ("cars.json", "Origin"), ("movies.json", "Major Genre") })
        {
            var dir = TestData.TempDirectory();
            var init = LatheProcess.Run(dir, "init", "--data", TestData.Vega(file), "--target", target);
            Assert.True(init.ExitCode == 0, $"{file}: {init.Error}");
            var train = LatheProcess.Run(dir, "train", "config.yaml", "--out", "run");
            Assert.True(train.ExitCode == 0, $"{file}: {train.Error}");
            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run", "metrics.json")))!;
            Assert.InRange(metrics["test"]!["accuracy"]!.GetValue<double>(), 0.3, 1.0);
        }
    }
}
