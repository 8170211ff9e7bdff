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
        // A single target's pipeline.json says nothing of several targets, so it reads as before this change.
        using var zip = System.IO.Compression.ZipFile.OpenRead(plain.BundlePath);
        using var pipeline = zip.GetEntry(Bundle.PipelineEntry)!.Open();
        var target = System.Text.Json.Nodes.JsonNode.Parse(pipeline)!["target"]!.AsObject();
        Assert.Equal(["name", "task", "classes", "mean", "std"], target.Select(p => p.Key).ToArray());
    }

    [Fact]
    public void Cv_below_two_or_with_a_time_split_is_a_config_error_naming_the_key()
    {
        var one = ConfigValidator.Validate(PenguinsCv() with { Training = PenguinsCv().Training with { Cv = 1 } });
        Assert.Contains(one, e => e.Path == "training.cv" && e.Message.Contains("at least 2"));
        var timed = PenguinsCv() with { Data = PenguinsCv().Data with { Split = new SplitConfig { Time = "Beak Length (mm)" } } };
        Assert.Contains(ConfigValidator.Validate(timed), e => e.Path == "training.cv" && e.Message.Contains("split.time"));
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
