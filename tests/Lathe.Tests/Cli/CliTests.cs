using System.Text.Json.Nodes;
using Lathe.Config;
using Lathe.Data.Sources;
using Npgsql;

namespace Lathe.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Train_with_cv_prints_each_metric_as_mean_plus_minus_std_and_predicts_two_targets()
    {
        var dir = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "cv.yaml"), $"task: regression\ntarget: [Horsepower, Miles_per_Gallon]\ndata:\n  path: {TestData.Vega("cars.json")}\n  exclude: [Name]\n"
            + "training:\n  epochs: 8\n  threads: 2\n  cv: 2\n");
        var train = LatheProcess.Run(dir, "train", "cv.yaml", "--out", "run");
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("cross-validation, 2 folds", train.Out);
        var cv = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run", "cv.json")))!;
        var r2 = cv["summary"]!["r2[Miles_per_Gallon]"]!;
        Assert.Contains("r2[Miles_per_Gallon]", train.Out);
        string F(JsonNode n) => n.GetValue<double>().ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"{F(r2["mean"]!)} ± {F(r2["std"]!)}", train.Out);
        Assert.Equal(2, cv["per_fold"]!.AsArray().Count);

        var predict = LatheProcess.Run(dir, "predict", "run/model.lathe", "--data", TestData.Vega("cars.json"), "--out", "predictions.csv");
        Assert.True(predict.ExitCode == 0, predict.Error);
        var lines = File.ReadAllLines(Path.Combine(dir, "predictions.csv"));
        Assert.Equal("predicted_Horsepower,predicted_Miles_per_Gallon", lines[0]);
        Assert.Equal(407, lines.Length);
    }

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
        Assert.Contains("\n  ensemble: 32\n", config);

        var train = LatheProcess.Run(dir, "train", "config.yaml", "--out", "run");
        Assert.True(train.ExitCode == 0, train.Error);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run", "metrics.json")))!;
        Assert.True(metrics["test"]!["accuracy"]!.GetValue<double>() >= 0.97);
        Assert.True(File.Exists(Path.Combine(dir, "run", "config.resolved.yaml")));
        Assert.Contains("<h2 id=\"learning\">", File.ReadAllText(Path.Combine(dir, "run", "report.html")));

        var evaluate = LatheProcess.Run(dir, "evaluate", "run/model.lathe", "--data", data, "--out", "eval");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        var evaluation = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "eval", "metrics.json")))!;
        Assert.Equal(344, evaluation["rows"]!.GetValue<int>());
        Assert.True(evaluation["test"]!["accuracy"]!.GetValue<double>() >= 0.95);
        // The evaluation's report takes its learning curves from the training run's metrics.json beside the model.
        var report = File.ReadAllText(Path.Combine(dir, "eval", "report.html"));
        Assert.Contains("scored on the data in penguins.json (344 rows)", report);
        Assert.Contains("<h2 id=\"learning\">", report);

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
    public void Profile_takes_the_file_as_an_argument_or_as_init_takes_it_and_refuses_two_or_none()
    {
        var dir = TestData.TempDirectory();
        var data = TestData.Vega("penguins.json");
        var positional = LatheProcess.Run(dir, "profile", data, "--out", "a.html");
        var option = LatheProcess.Run(dir, "profile", "--data", data, "--out", "b.html");
        Assert.True(option.ExitCode == 0, option.Error);
        // The status line is written as it is refreshed, which depends on timing: the rest must be the same.
        static string Result(string output) => string.Join("\n", output.Split('\n').Where(l => !l.StartsWith("profiling ", StringComparison.Ordinal)));
        Assert.Equal(Result(positional.Out.Replace("a.html", "b.html")), Result(option.Out));
        Assert.Contains("344 rows", option.Out);

        var both = LatheProcess.Run(dir, "profile", data, "--data", data);
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("two inputs given", both.Error + both.Out);
        var none = LatheProcess.Run(dir, "profile");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("give the data file (or a config)", none.Error + none.Out);
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
    public void Train_reads_a_postgres_query_with_the_password_from_a_file_and_fingerprints_its_rows()
    {
        TestDatabase.RequireServer();
        using var penguins = TestDatabase.Penguins();
        var dir = TestData.TempDirectory();
        var connection = new NpgsqlConnectionStringBuilder(TestDatabase.Connection);
        File.WriteAllText(Path.Combine(dir, "postgres-password"), connection.Password + "\n");
        connection.Password = null;
        var query = $"SELECT * FROM {penguins.Table} ORDER BY record";
        File.WriteAllText(Path.Combine(dir, "config.yaml"), $$"""
            target: Species
            data:
              connection: "{{connection.ConnectionString}}"
              password_file: postgres-password
              query: {{query}}
              exclude: [record]
            model: { layers: [64, 32] }
            training: { epochs: 60, patience: 15, threads: 2 }
            """);

        var train = LatheProcess.Run(dir, "train", "config.yaml", "--out", "run");
        Assert.True(train.ExitCode == 0, train.Error);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run", "metrics.json")))!;
        Assert.True(metrics["test"]!["accuracy"]!.GetValue<double>() >= 0.95);
        var source = DataSource.Open(new DataConfig { Connection = TestDatabase.Connection, Query = query });
        Assert.Equal(DataSource.Fingerprint([(source, source.Read())]), metrics["data_fingerprint"]!.GetValue<string>());
        Assert.Contains($"connection: \"{connection.ConnectionString}\"", File.ReadAllText(Path.Combine(dir, "run", "config.resolved.yaml")));
    }

    [Fact]
    public void A_failing_postgres_query_or_server_exits_1_naming_the_database_and_the_servers_message()
    {
        TestDatabase.RequireServer();
        var dir = TestData.TempDirectory();
        void Write(string connection, string query) => File.WriteAllText(Path.Combine(dir, "config.yaml"),
            $"target: Species\ndata:\n  connection: \"{connection}\"\n  query: {query}\n");

        Write(TestDatabase.Connection, "SELECT * FROM lathe_no_such_table");
        var query = LatheProcess.Run(dir, "train", "config.yaml", "--out", "run");
        Assert.Equal(1, query.ExitCode);
        Assert.Contains($"error: {TestDatabase.Name}: the query failed — relation \"lathe_no_such_table\" does not exist", query.Error);
        Assert.DoesNotContain("   at ", query.Error);

        Write(new NpgsqlConnectionStringBuilder(TestDatabase.Connection) { Host = "127.0.0.1", Port = 1 }.ConnectionString, "SELECT 1");
        var server = LatheProcess.Run(dir, "train", "config.yaml", "--out", "run");
        Assert.Equal(1, server.ExitCode);
        Assert.Contains("error: postgres://127.0.0.1:1/", server.Error);
        Assert.Contains("cannot reach the server — Failed to connect to 127.0.0.1:1 (Connection refused)", server.Error);
        Assert.DoesNotContain("   at ", server.Error);
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
