namespace Lathe.Tests.Cli;

/// <summary>The layout options end to end on scikit-learn's iris.csv, whose first line is a count of rows and features
/// and the class names: told once at init, the config carries it to training, and the bundle to predict and evaluate.</summary>
public class CsvLayoutCliTests
{
    [Fact]
    public void A_layout_given_to_init_reaches_training_and_the_models_predictions()
    {
        var dir = TestData.TempDirectory();
        var iris = TestData.Sklearn("iris.csv");

        // Left to itself, init reads line 1 as the header and says why that is doubtful.
        var doubtful = LatheProcess.Run(dir, "init", "--data", iris, "--target", "virginica", "--out", "doubtful.yaml");
        Assert.True(doubtful.ExitCode == 0, doubtful.Error);
        Assert.Contains("the header (line 1) names 2 columns of numbers with numbers", Flat(doubtful.Out));

        var init = LatheProcess.Run(dir, "init", "--data", iris, "--target", "column_5", "--header", "false", "--skip-rows", "1", "--out", "iris.yaml");
        Assert.True(init.ExitCode == 0, init.Error);
        Assert.DoesNotContain("warning", init.Out);
        var yaml = File.ReadAllText(Path.Combine(dir, "iris.yaml"));
        Assert.Contains("  skip_rows: 1\n", yaml);
        Assert.Contains("  header: false\n", yaml);
        Assert.Contains("task: classification", yaml);
        var model = TrainQuickly(dir, "iris.yaml", epochs: 30);

        // predict reads the file as training did, without being told again: 150 rows, every class among the predictions.
        var predict = LatheProcess.Run(dir, "predict", model, "--data", iris, "--out", "predictions.csv");
        Assert.True(predict.ExitCode == 0, predict.Error);
        var lines = File.ReadAllLines(Path.Combine(dir, "predictions.csv"));
        Assert.Equal("predicted_column_5,p_0,p_1,p_2", lines[0]);
        Assert.Equal(151, lines.Length);
        var predicted = lines.Skip(1).Select(l => l.Split(',')[0]).ToArray();
        Assert.Equal(["0", "1", "2"], predicted.Distinct().Order());
        var truth = File.ReadLines(iris).Skip(1).Select(l => l.Split(',')[4]).ToArray();
        Assert.True(predicted.Zip(truth).Count(p => p.First == p.Second) >= 120, "a trained iris model gets most of its own table right");

        var evaluate = LatheProcess.Run(dir, "evaluate", model, "--data", iris, "--out", "evaluation");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.True(File.Exists(Path.Combine(dir, "evaluation", "metrics.json")));

        // Told otherwise, predict reads line 1 as the header, and the model's columns are not there.
        var otherwise = LatheProcess.Run(dir, "predict", model, "--data", iris, "--out", "other.csv", "--header", "auto", "--skip-rows", "0");
        Assert.Equal(1, otherwise.ExitCode);
        Assert.Contains("named 'column_1'", otherwise.Error);
        Assert.False(File.Exists(Path.Combine(dir, "other.csv")));

        // A file of another format is read as it is: the training file's layout is for delimited text.
        var json = Path.Combine(dir, "iris.jsonl");
        File.WriteAllLines(json, File.ReadLines(iris).Skip(1).Select(l => l.Split(','))
            .Select(f => $"{{\"column_1\": {f[0]}, \"column_2\": {f[1]}, \"column_3\": {f[2]}, \"column_4\": {f[3]}}}"));
        var fromJson = LatheProcess.Run(dir, "predict", model, "--data", json, "--out", "from-json.csv");
        Assert.True(fromJson.ExitCode == 0, fromJson.Error);
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(dir, "from-json.csv")));

        var wrong = LatheProcess.Run(dir, "predict", model, "--data", iris, "--out", "other.csv", "--skip-rows", "one");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("--skip-rows one: give a number of lines, or auto", wrong.Error);
    }

    [Fact]
    public void A_sheet_given_to_init_is_trained_on_and_the_model_predicts_the_same_sheet_of_either_workbook_format()
    {
        var dir = TestData.TempDirectory();
        var init = LatheProcess.Run(dir, "init", "--data", TestData.Readxl("datasets.xlsx"), "--sheet", "quakes", "--target", "mag", "--out", "quakes.yaml");
        Assert.True(init.ExitCode == 0, init.Error);
        var yaml = File.ReadAllText(Path.Combine(dir, "quakes.yaml"));
        Assert.Contains("  sheet: quakes\n", yaml);
        Assert.Contains("task: regression", yaml);
        var model = TrainQuickly(dir, "quakes.yaml", epochs: 20);

        // The .xls holds the same four sheets: the model's sheet is read without being named again.
        var predict = LatheProcess.Run(dir, "predict", model, "--data", TestData.Readxl("datasets.xls"), "--out", "predictions.csv");
        Assert.True(predict.ExitCode == 0, predict.Error);
        var lines = File.ReadAllLines(Path.Combine(dir, "predictions.csv"));
        Assert.Equal("predicted_mag", lines[0]);
        Assert.Equal(1001, lines.Length);
        // Quakes of magnitude 4 to 6.4: a trained model predicts within them.
        Assert.All(lines.Skip(1), l => Assert.InRange(double.Parse(l, System.Globalization.CultureInfo.InvariantCulture), 3.5, 7));

        // Told another sheet, the model's columns are not there, and nothing is written.
        var iris = LatheProcess.Run(dir, "predict", model, "--data", TestData.Readxl("datasets.xls"), "--sheet", "iris", "--out", "iris.csv");
        Assert.Equal(1, iris.ExitCode);
        Assert.Contains("'lat'", iris.Error);
        Assert.False(File.Exists(Path.Combine(dir, "iris.csv")));
    }

    [Fact]
    public void Profile_init_and_prepare_name_the_preamble_skipped_and_the_header_not_found()
    {
        var dir = TestData.TempDirectory();
        var data = TestData.Sklearn("breast_cancer.csv");
        const string skipped = "line 1 ('569,30,malignant,benign') skipped as a preamble above the header: it has 4 fields where the lines below have 31";
        const string headless = "line 2 holds only numbers, so it is read as data and the columns are named column_1 to column_31";
        var profile = LatheProcess.Run(dir, "profile", data, "--out", "profile.html");
        Assert.True(profile.ExitCode == 0, profile.Error);
        var said = Flat(profile.Out);
        Assert.Contains(skipped, said);
        Assert.Contains(headless, said);
        Assert.Contains("569 rows", said);
        Assert.Contains("skipped as a preamble above the header", File.ReadAllText(Path.Combine(dir, "profile.html")));

        var init = LatheProcess.Run(dir, "init", "--data", data, "--target", "column_31", "--out", "cancer.yaml");
        Assert.True(init.ExitCode == 0, init.Error);
        Assert.Contains(skipped, Flat(init.Out));
        Assert.Contains("  skip_rows: auto\n", File.ReadAllText(Path.Combine(dir, "cancer.yaml")));
        var prepare = LatheProcess.Run(dir, "prepare", "cancer.yaml", "--out", "prepared");
        Assert.True(prepare.ExitCode == 0, prepare.Error);
        Assert.Contains("note: breast_cancer.csv: " + skipped, Flat(prepare.Out));
        Assert.Contains(headless, Flat(prepare.Out));
    }

    /// <summary>The console's output with its line wrapping undone.</summary>
    private static string Flat(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.TrimEntries));

    /// <summary>Trains the config <c>lathe init</c> wrote in <paramref name="dir"/> as one network for a few epochs on two
    /// threads, into <c>run/</c>; the model's path.</summary>
    [Fact]
    public void A_sqlite_database_of_several_tables_takes_query_on_init_and_predict_reuses_it()
    {
        var dir = TestData.TempDirectory();
        var database = Data.Sources.SqliteSourceTests.PenguinsDatabase();
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database}"))
        {
            db.Open();
            using var create = db.CreateCommand();
            create.CommandText = "CREATE TABLE islands (island TEXT, area REAL); INSERT INTO islands VALUES ('Biscoe', 1.0)";
            create.ExecuteNonQuery();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var refused = LatheProcess.Run(dir, "init", "--data", database, "--target", "species", "--out", "penguins.yaml");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("the database holds 2 tables ('islands', 'penguins')", refused.Error);
        var init = LatheProcess.Run(dir, "init", "--data", database, "--target", "species", "--query", "SELECT * FROM penguins ORDER BY rowid", "--out", "penguins.yaml");
        Assert.True(init.ExitCode == 0, init.Error);
        Assert.Contains("  query: \"SELECT * FROM penguins ORDER BY rowid\"\n", File.ReadAllText(Path.Combine(dir, "penguins.yaml")));
        var model = TrainQuickly(dir, "penguins.yaml", epochs: 10);

        // predict and evaluate ask the database for the training query's rows without being told again.
        var predict = LatheProcess.Run(dir, "predict", model, "--data", database, "--out", "predictions.csv");
        Assert.True(predict.ExitCode == 0, predict.Error);
        Assert.Equal(345, File.ReadAllLines(Path.Combine(dir, "predictions.csv")).Length);
        var evaluate = LatheProcess.Run(dir, "evaluate", model, "--data", database, "--query", "SELECT * FROM penguins WHERE island = 'Biscoe'", "--out", "biscoe");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("on 168 rows", evaluate.Out);
        // --query with a file that is no database is refused, naming the file.
        var csv = LatheProcess.Run(dir, "predict", model, "--data", TestData.Vega("seattle-weather.csv"), "--query", "SELECT 1", "--out", "x.csv");
        Assert.Equal(1, csv.ExitCode);
        Assert.Contains("--query is for a SQLite database", csv.Error);
    }

    private static string TrainQuickly(string dir, string config, int epochs)
    {
        var path = Path.Combine(dir, config);
        File.WriteAllText(path, File.ReadAllText(path).Replace("  epochs: 200", $"  epochs: {epochs}").Replace("  ensemble: 32", "  ensemble: 0").Replace("  threads: 0", "  threads: 2"));
        var train = LatheProcess.Run(dir, "train", config, "--out", "run");
        Assert.True(train.ExitCode == 0, train.Error);
        return Path.Combine(dir, "run", "model.lathe");
    }
}
