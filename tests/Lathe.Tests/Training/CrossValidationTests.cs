using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Training;

namespace Lathe.Tests.Training;

public class CrossValidationTests
{
    private static PipelineConfig PenguinsCv(int seed = 42) => TestData.Penguins(seed) with
    {
        Training = TestData.Penguins(seed).Training with { Epochs = 25, Patience = 0, Cv = 3 },
    };

    [Fact]
    public void Three_folds_on_penguins_cover_the_training_and_validation_rows_once_and_leave_test_alone()
    {
        var config = PenguinsCv();
        var directory = TestData.TempDirectory();
        var prepared = Preparation.Run(config, directory);
        var cv = CrossValidation.Run(prepared, config);

        Assert.Equal(3, cv.PerFold.Count);
        var held = cv.PerFold.SelectMany(f => f.HeldOutLines).ToArray();
        var expected = Enumerable.Range(0, prepared.Train.RowCount).Select(prepared.Train.LineOf)
            .Concat(Enumerable.Range(0, prepared.Validation.RowCount).Select(prepared.Validation.LineOf)).Order().ToArray();
        // Disjoint and covering: every training or validation row is held out by exactly one fold.
        Assert.Equal(expected, held.Order().ToArray());
        var testLines = Enumerable.Range(0, prepared.Test.RowCount).Select(prepared.Test.LineOf).ToHashSet();
        Assert.DoesNotContain(held, testLines.Contains);
        foreach (var fold in cv.PerFold)
        {
            Assert.Equal(expected.Length - fold.HeldOutLines.Count, fold.TrainRows);
            Assert.InRange(fold.HeldOutLines.Count, expected.Length / 3, expected.Length / 3 + 1);
            Assert.True(fold.Metrics["accuracy"] >= 0.9, $"fold {fold.Fold} accuracy {fold.Metrics["accuracy"]}");
        }

        // Mean and sample standard deviation of the folds' accuracies, by hand.
        var accuracies = cv.PerFold.Select(f => f.Metrics["accuracy"]).ToArray();
        var mean = accuracies.Average();
        var std = Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / 2);
        Assert.Equal(mean, cv.Summary["accuracy"].Mean, 12);
        Assert.Equal(std, cv.Summary["accuracy"].Std, 12);
        Assert.Contains("macro_f1", cv.Summary.Keys);
    }

    [Fact]
    public void Stratified_folds_keep_each_species_share()
    {
        var config = PenguinsCv();
        var prepared = Preparation.Run(config, TestData.TempDirectory());
        var rows = Table.Concat([prepared.Train, prepared.Validation]);
        var species = prepared.Target.EncodeClasses(rows);
        var assignment = Lathe.Data.Splitting.KFold.Assign(rows.RowCount, 3, config.Seed, species);
        for (var c = 0; c < prepared.Target.Classes.Count; c++)
        {
            var perFold = Enumerable.Range(0, 3).Select(k => Enumerable.Range(0, rows.RowCount).Count(r => assignment[r] == k && species[r] == c)).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"class {prepared.Target.Classes[c]}: {string.Join(", ", perFold)}");
        }
    }

    [Fact]
    public void Training_with_cv_writes_cv_json_and_report_section_and_the_usual_bundle_deterministically()
    {
        var config = PenguinsCv();
        var first = TrainingRun.Run(config, TestData.TempDirectory());
        var again = TrainingRun.Run(config, TestData.TempDirectory());
        var plain = TrainingRun.Run(config with { Training = config.Training with { Cv = 0 } }, TestData.TempDirectory());

        var file = Path.Combine(first.OutputDirectory, CrossValidation.FileName);
        var written = JsonSerializer.Deserialize<CrossValidationResult>(File.ReadAllBytes(file), BundleJson.Options)!;
        Assert.Equal(3, written.Folds);
        Assert.Equal(first.Metrics.CrossValidation!.Summary["accuracy"], written.Summary["accuracy"]);
        Assert.Equal(File.ReadAllText(file), File.ReadAllText(Path.Combine(again.OutputDirectory, CrossValidation.FileName)));
        Assert.Contains("Cross-validation (3 folds)", File.ReadAllText(Path.Combine(first.OutputDirectory, "report.html")));
        Assert.Null(plain.Metrics.CrossValidation);
        Assert.False(File.Exists(Path.Combine(plain.OutputDirectory, CrossValidation.FileName)));
        // The final model is the usual one: cross-validation changes neither the split nor the weights.
        Assert.Equal(Bundle.Load(plain.BundlePath).Weights, Bundle.Load(first.BundlePath).Weights);
        // A single target's pipeline.json says nothing of several targets, so it reads as before this change; the temperature
        // (training.calibrate) is the one member added since.
        using var zip = System.IO.Compression.ZipFile.OpenRead(plain.BundlePath);
        using var pipeline = zip.GetEntry(Bundle.PipelineEntry)!.Open();
        var target = System.Text.Json.Nodes.JsonNode.Parse(pipeline)!["target"]!.AsObject();
        Assert.Equal(["name", "task", "classes", "mean", "std", "temperature"], target.Select(p => p.Key).ToArray());
    }

    [Fact]
    public void Cv_below_two_is_a_config_error_naming_the_key_and_cv_with_a_group_or_time_split_is_not()
    {
        var one = ConfigValidator.Validate(PenguinsCv() with { Training = PenguinsCv().Training with { Cv = 1 } });
        Assert.Contains(one, e => e.Path == "training.cv" && e.Message.Contains("at least 2"));
        var timed = PenguinsCv() with { Data = PenguinsCv().Data with { Split = new SplitConfig { Time = "Beak Length (mm)" } } };
        Assert.DoesNotContain(ConfigValidator.Validate(timed), e => e.Path == "training.cv");
        var grouped = PenguinsCv() with { Data = PenguinsCv().Data with { Split = new SplitConfig { Group = "Island" } } };
        Assert.DoesNotContain(ConfigValidator.Validate(grouped), e => e.Path == "training.cv");
    }

    /// <summary>seattle-weather with the split in time order, and cv in time order over the rest.</summary>
    private static PipelineConfig WeatherByDate(int folds) => new()
    {
        Target = "weather",
        Data = new DataConfig { Path = TestData.Vega("seattle-weather.csv"), Split = new SplitConfig { Time = "date" } },
        Model = new ModelConfig { Kind = ModelKind.Mlp, Layers = [16] },
        Training = new TrainingConfig { Epochs = 3, BatchSize = 64, Threads = 2, Cv = folds },
    };

    [Fact]
    public void Time_ordered_folds_validate_each_model_on_days_after_all_of_its_training_days()
    {
        var config = WeatherByDate(4);
        var prepared = Preparation.Run(config, TestData.TempDirectory());
        var rows = Table.Concat([prepared.Train, prepared.Validation]);
        var days = Lathe.Data.Splitting.TimeSplit.Times(rows["date"]);
        var folds = CrossValidation.Folds(rows, prepared, config);
        Assert.Equal(4, folds.Count);
        for (var k = 0; k < folds.Count; k++)
        {
            var (train, held) = folds[k];
            Assert.True(train.Max(r => days[r]) < held.Min(r => days[r]), $"fold {k + 1} validates on a day before one it trains on");
            // An expanding window: each fold trains on everything before its block, and the blocks are about equal.
            Assert.Equal(k == 0 ? train.Length : folds[k - 1].Train.Length + folds[k - 1].HeldOut.Length, train.Length);
            Assert.InRange(held.Length, rows.RowCount / 5 - 2, rows.RowCount / 5 + 2);
        }
        Assert.Equal(Flat(folds), Flat(CrossValidation.Folds(rows, prepared, config)));

        // The whole run: the folds' metrics summarised, the final model trained on the time split as before.
        var directory = TestData.TempDirectory();
        var run = TrainingRun.Run(config, directory);
        var cv = JsonSerializer.Deserialize<CrossValidationResult>(File.ReadAllBytes(Path.Combine(directory, CrossValidation.FileName)), BundleJson.Options)!;
        Assert.Equal(4, cv.PerFold.Count);
        Assert.InRange(cv.Summary["accuracy"].Mean, 0.3, 1.0);
        Assert.True(run.Metrics.Test.ContainsKey("accuracy"));

        var tooMany = WeatherByDate(2000);
        var error = Assert.Throws<DataException>(() => CrossValidation.Folds(rows, prepared, tooMany));
        Assert.Contains("training.cv: 2000 time-ordered folds need 2001 blocks", error.Message);
        Assert.Contains("'date' (data.split.time)", error.Message);
    }

    [Fact]
    public void Group_folds_keep_every_model_year_of_the_cars_in_one_fold()
    {
        var config = new PipelineConfig
        {
            Target = "Origin",
            Data = new DataConfig { Path = TestData.Vega("cars.json"), Exclude = ["Name"], Split = new SplitConfig { Group = "Year" } },
            Model = new ModelConfig { Kind = ModelKind.Mlp, Layers = [16] },
            Training = new TrainingConfig { Epochs = 3, BatchSize = 32, Threads = 2, Cv = 3 },
        };
        var prepared = Preparation.Run(config, TestData.TempDirectory());
        var rows = Table.Concat([prepared.Train, prepared.Validation]);
        var years = Lathe.Data.Cleaning.TypeCoercion.Texts(rows["Year"]);
        var folds = CrossValidation.Folds(rows, prepared, config);
        Assert.Equal(3, folds.Count);
        foreach (var (train, held) in folds)
        {
            Assert.Empty(train.Select(r => years[r]).ToHashSet().Intersect(held.Select(r => years[r])));
            Assert.Equal(rows.RowCount, train.Length + held.Length);
        }
        Assert.Equal(rows.RowCount, folds.Sum(f => f.HeldOut.Length));
        Assert.Equal(Flat(folds), Flat(CrossValidation.Folds(rows, prepared, config)));
        var cv = CrossValidation.Run(prepared, config);
        Assert.Equal(3, cv.PerFold.Count);

        var groups = years.Distinct().Count();
        var error = Assert.Throws<DataException>(() => CrossValidation.Folds(rows, prepared, config with { Training = config.Training with { Cv = groups + 1 } }));
        Assert.Contains($"training.cv: {groups + 1} group folds need at least {groups + 1} groups, but 'Year' (data.split.group) has {groups}", error.Message);
    }

    private static int[] Flat(IReadOnlyList<(int[] Train, int[] HeldOut)> folds) => [.. folds.SelectMany(f => f.Train.Append(-1).Concat(f.HeldOut).Append(-2))];

    [Fact]
    public void Group_folds_on_the_birdstrikes_airports_are_whole_balanced_and_seeded()
    {
        var table = Lathe.Data.Sources.DataSource.Open(TestData.Vega("birdstrikes.csv")).Read();
        var airports = ((StringColumn)table["Airport Name"]).Values;
        var folds = Lathe.Data.Splitting.KFold.AssignGroups(airports, 5, seed: 3, "Airport Name");
        Assert.Equal(Enumerable.Range(0, 5), folds.Distinct().Order());
        Assert.All(Enumerable.Range(0, airports.Length).GroupBy(r => airports[r] ?? $"row{r}"), g => Assert.Single(g.Select(r => folds[r]).Distinct()));
        var sizes = Enumerable.Range(0, 5).Select(k => folds.Count(f => f == k)).ToArray();
        // The largest airport alone decides how even the folds can be; the others fill in around it.
        var largest = Enumerable.Range(0, airports.Length).GroupBy(r => airports[r]).Max(g => g.Count());
        Assert.True(sizes.Max() - sizes.Min() <= largest, $"fold sizes {string.Join(", ", sizes)}");
        Assert.Equal(folds, Lathe.Data.Splitting.KFold.AssignGroups(airports, 5, seed: 3, "Airport Name"));
        Assert.NotEqual(folds, Lathe.Data.Splitting.KFold.AssignGroups(airports, 5, seed: 4, "Airport Name"));
    }

    [Fact]
    public void Cv_with_fewer_rows_of_a_class_than_folds_names_the_key_and_the_class()
    {
        var config = PenguinsCv() with { Training = PenguinsCv().Training with { Cv = 200 } };
        var prepared = Preparation.Run(config, TestData.TempDirectory());
        var error = Assert.Throws<DataException>(() => CrossValidation.Run(prepared, config));
        Assert.Contains("training.cv", error.Message);
        Assert.Contains("'Chinstrap'", error.Message);
    }
}
