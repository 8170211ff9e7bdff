using System.Globalization;
using System.Text;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Evaluation;
using Lathe.Training;

namespace Lathe.Tests.Training;

/// <summary>Multi-target regression (cars: horsepower and consumption at once) and multilabel classification
/// (three yes/no properties of the same cars), end to end: training, metrics, report, bundle, predict, evaluate.</summary>
public class SeveralTargetsTests
{
    internal static readonly string[] Labels = ["american", "over_4_cylinders", "economical"];

    internal static PipelineConfig CarsRegression(int seed = 42) => new()
    {
        Task = TaskKind.Regression,
        Targets = ["Horsepower", "Miles_per_Gallon"],
        Seed = seed,
        Data = new DataConfig { Path = TestData.Vega("cars.json"), Exclude = ["Name"] },
        Model = new ModelConfig { Layers = [64, 32] },
        Training = new TrainingConfig { Epochs = 60, BatchSize = 32, Patience = 15, Threads = 2 },
    };

    /// <summary>cars.json as a CSV whose labels are real properties of each car, written three ways (yes/no, 0/1,
    /// true/false); the columns they come from (origin, cylinders, consumption) are left out of the features. A car
    /// without a consumption gets no 'economical' label, so its row cannot be trained on.</summary>
    internal static string CarsLabels()
    {
        var cars = DataSource.Open(TestData.Vega("cars.json")).Read();
        double[] Numbers(string name) => ((NumericColumn)cars[name]).Values;
        var origin = ((StringColumn)cars["Origin"]).Values;
        var year = ((StringColumn)cars["Year"]).Values;
        var (mpg, cylinders) = (Numbers("Miles_per_Gallon"), Numbers("Cylinders"));
        string N(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
        var text = new StringBuilder("Displacement,Horsepower,Weight_in_lbs,Acceleration,Year,american,over_4_cylinders,economical\n");
        for (var i = 0; i < cars.RowCount; i++)
            text.Append(CultureInfo.InvariantCulture, $"{N(Numbers("Displacement")[i])},{N(Numbers("Horsepower")[i])},{N(Numbers("Weight_in_lbs")[i])},{N(Numbers("Acceleration")[i])},{year[i]![..4]},")
                .Append(origin[i] == "USA" ? "yes" : "no").Append(',').Append(cylinders[i] > 4 ? '1' : '0').Append(',')
                .Append(double.IsNaN(mpg[i]) ? "" : mpg[i] >= 25 ? "true" : "false").Append('\n');
        var path = Path.Combine(TestData.TempDirectory(), "cars-labels.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    internal static PipelineConfig CarsMultilabel(string path) => new()
    {
        Task = TaskKind.Multilabel,
        Targets = Labels,
        Data = new DataConfig { Path = path },
        Model = new ModelConfig { Layers = [64, 32] },
        Training = new TrainingConfig { Epochs = 60, BatchSize = 32, Patience = 15, Threads = 2 },
    };

    [Fact]
    public void Two_regression_targets_train_together_with_per_target_metrics_and_their_mean()
    {
        var run = TrainingRun.Run(CarsRegression(), TestData.TempDirectory());
        var test = run.Metrics.Test;
        Assert.Equal("Horsepower, Miles_per_Gallon", run.Metrics.Target);
        Assert.True(test["r2[Horsepower]"] > 0.8, $"horsepower r2 {test["r2[Horsepower]"]}");
        Assert.True(test["r2[Miles_per_Gallon]"] > 0.75, $"mpg r2 {test["r2[Miles_per_Gallon]"]}");
        foreach (var metric in new[] { "rmse", "mae", "mape", "r2" })
            Assert.Equal((test[$"{metric}[Horsepower]"] + test[$"{metric}[Miles_per_Gallon]"]) / 2, test[metric], 12);
        // 6 cars lack a horsepower and 8 a consumption (none both): 14 rows cannot be trained or scored on.
        Assert.Equal(14, run.Metrics.Rows.DroppedMissingTarget);

        // The per-target metrics are those of each target's own column of predictions.
        var truth = run.TestRows;
        var mpg = ((NumericColumn)truth["Miles_per_Gallon"]).Values;
        var predictedMpg = Scoring.Column(run.TestPredictions.Values, 1, 2);
        Assert.Equal(truth.RowCount, run.TestPredictions.Count);
        Assert.Equal(Math.Sqrt(mpg.Select((m, i) => (m - predictedMpg[i]) * (m - predictedMpg[i])).Average()), test["rmse[Miles_per_Gallon]"], 9);

        var report = File.ReadAllText(Path.Combine(run.OutputDirectory, "report.html"));
        Assert.Contains("Predictions and residuals, per target", report);
        Assert.Contains("predicted against actual", report);
        Assert.Contains(System.Net.WebUtility.HtmlEncode("'Miles_per_Gallon': residuals"), report);
    }

    [Fact]
    public void A_two_target_bundle_round_trips_and_predicts_and_evaluates_what_training_measured()
    {
        var run = TrainingRun.Run(CarsRegression() with { Training = CarsRegression().Training with { Epochs = 15 } }, TestData.TempDirectory());
        var bundle = Bundle.Load(run.BundlePath);
        Assert.Equal(["Horsepower", "Miles_per_Gallon"], bundle.Manifest.Outputs);
        var copy = Path.Combine(TestData.TempDirectory(), "copy.lathe");
        bundle.Save(copy);
        Assert.Equal(File.ReadAllBytes(run.BundlePath).Length, File.ReadAllBytes(copy).Length);
        Assert.Equal(bundle.Manifest.Entries, Bundle.Load(copy).Manifest.Entries);

        using var predictor = Bundle.Load(copy).CreatePredictor();
        var predictions = predictor.Predict(run.TestRows);
        Assert.Equal(run.TestPredictions.Values, predictions.Values);
        var csv = new StringWriter();
        predictions.WriteCsv(csv, bundle.Manifest.Target);
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("predicted_Horsepower,predicted_Miles_per_Gallon", lines[0]);
        Assert.Equal(run.TestRows.RowCount + 1, lines.Length);
        Assert.Equal(predictions.Values[1].ToString("R", CultureInfo.InvariantCulture), lines[1].Split(',')[1]);

        var evaluated = Evaluator.Evaluate(bundle, run.TestRows);
        Assert.Equal(run.Metrics.Test, evaluated.Test);
    }

    [Fact]
    public void Tuned_multilabel_thresholds_are_fitted_on_validation_kept_in_the_bundle_and_used_everywhere()
    {
        var path = CarsLabels();
        var plain = TrainingRun.Run(CarsMultilabel(path), TestData.TempDirectory());
        var config = CarsMultilabel(path) with { Training = CarsMultilabel(path).Training with { TuneThreshold = true } };
        var tuned = TrainingRun.Run(config, TestData.TempDirectory());
        // The same weights (tuning comes after training), judged with thresholds that were chosen on validation.
        Assert.Equal(Bundle.Load(plain.BundlePath).Weights, Bundle.Load(tuned.BundlePath).Weights);
        Assert.True(tuned.Metrics.Validation["macro_f1"] >= plain.Metrics.Validation["macro_f1"],
            $"validation macro F1 {tuned.Metrics.Validation["macro_f1"]} tuned against {plain.Metrics.Validation["macro_f1"]} at 0.5");
        var bundle = Bundle.Load(tuned.BundlePath);
        Assert.Equal(3, bundle.Manifest.Format);
        Assert.Equal(2, Bundle.Load(plain.BundlePath).Manifest.Format);
        var thresholds = bundle.Target.Thresholds!;
        Assert.Equal(3, thresholds.Count);
        Assert.All(thresholds, t => Assert.InRange(t, 0.0, 1.0));
        Assert.Contains(thresholds, t => t != 0.5);
        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(tuned.TestRows);
        Assert.Equal(thresholds, predictions.Thresholds);
        for (var i = 0; i < predictions.Count; i++)
            for (var l = 0; l < 3; l++)
                Assert.Equal(predictions.Probabilities[i * 3 + l] >= thresholds[l], predictions.Has(i, l));
        Assert.Equal(tuned.Metrics.Test, Evaluator.Evaluate(bundle, tuned.TestRows).Test);
        Assert.Contains("threshold", File.ReadAllText(Path.Combine(tuned.OutputDirectory, "report.html")));

        var fixedAt = TrainingRun.Run(CarsMultilabel(path) with { Training = CarsMultilabel(path).Training with { Threshold = 0.3 } }, TestData.TempDirectory());
        Assert.Equal([0.3, 0.3, 0.3], Bundle.Load(fixedAt.BundlePath).Target.Thresholds);
        var bad = ConfigValidator.Validate(CarsMultilabel(path) with { Training = CarsMultilabel(path).Training with { Threshold = 1 } });
        Assert.Contains(bad, e => e.Path == "training.threshold" && e.Message.Contains("strictly between 0 and 1"));
    }

    [Fact]
    public void An_ensemble_averages_each_labels_probability_and_each_targets_value_and_its_bundle_predicts_the_same()
    {
        var labels = CarsMultilabel(CarsLabels());
        var multilabel = TrainingRun.Run(labels with { Model = labels.Model with { Ensemble = 8 } }, TestData.TempDirectory());
        Assert.True(multilabel.Metrics.Test["micro_f1"] > 0.85, $"micro F1 {multilabel.Metrics.Test["micro_f1"]}");
        var regression = TrainingRun.Run(CarsRegression() with { Model = CarsRegression().Model with { Ensemble = 8 } }, TestData.TempDirectory());
        Assert.True(regression.Metrics.Test["r2[Horsepower]"] > 0.8, $"horsepower r2 {regression.Metrics.Test["r2[Horsepower]"]}");
        Assert.True(regression.Metrics.Test["r2[Miles_per_Gallon]"] > 0.75, $"mpg r2 {regression.Metrics.Test["r2[Miles_per_Gallon]"]}");
        foreach (var (run, mean) in new[] { (multilabel, Lathe.Models.EnsembleMean.LabelProbabilities), (regression, Lathe.Models.EnsembleMean.Values) })
        {
            var bundle = Bundle.Load(run.BundlePath);
            Assert.Equal((8, mean), (bundle.Model.Ensemble, bundle.Model.EnsembleMean));
            using var predictor = bundle.CreatePredictor();
            var again = predictor.Predict(run.TestRows);
            Assert.Equal(run.TestPredictions.Probabilities.Select(BitConverter.SingleToInt32Bits), again.Probabilities.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(run.TestPredictions.Values.Select(BitConverter.DoubleToInt64Bits), again.Values.Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Fact]
    public void Multilabel_cars_learn_three_yes_no_properties_at_once()
    {
        var path = CarsLabels();
        var run = TrainingRun.Run(CarsMultilabel(path), TestData.TempDirectory());
        var test = run.Metrics.Test;
        Assert.Equal(TaskKind.Multilabel, run.Metrics.Task);
        Assert.Equal(MetricKind.MacroF1, run.Metrics.Metric);
        Assert.Equal(8, run.Metrics.Rows.DroppedMissingTarget);
        Assert.True(test["micro_f1"] > 0.85, $"micro F1 {test["micro_f1"]}");
        Assert.True(test["subset_accuracy"] > 0.6, $"subset accuracy {test["subset_accuracy"]}");
        Assert.True(test["hamming_loss"] < 0.15, $"Hamming loss {test["hamming_loss"]}");
        Assert.True(test["roc_auc"] > 0.9, $"ROC-AUC {test["roc_auc"]}");
        // The model's probabilities are each label's own: they need not sum to 1 over a row.
        var probabilities = run.TestPredictions.Probabilities;
        Assert.Equal(run.TestRows.RowCount * 3, probabilities.Length);
        Assert.Contains(Enumerable.Range(0, run.TestRows.RowCount), i => Math.Abs(probabilities[i * 3] + probabilities[i * 3 + 1] + probabilities[i * 3 + 2] - 1) > 0.2);

        var report = File.ReadAllText(Path.Combine(run.OutputDirectory, "report.html"));
        Assert.Contains("Per label", report);
        foreach (var label in Labels) Assert.Contains(label, report);

        var bundle = Bundle.Load(run.BundlePath);
        Assert.Equal(Labels, bundle.Target.Classes);
        var copy = Path.Combine(TestData.TempDirectory(), "copy.lathe");
        bundle.Save(copy);
        Assert.Equal(bundle.Manifest.Entries, Bundle.Load(copy).Manifest.Entries);
        using var predictor = Bundle.Load(copy).CreatePredictor();
        var again = predictor.Predict(run.TestRows);
        Assert.Equal(probabilities.Select(BitConverter.SingleToInt32Bits), again.Probabilities.Select(BitConverter.SingleToInt32Bits));
        var csv = new StringWriter();
        again.WriteCsv(csv, bundle.Manifest.Target);
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("predicted_american,predicted_over_4_cylinders,predicted_economical,p_american,p_over_4_cylinders,p_economical", lines[0]);
        var first = lines[1].Split(',');
        Assert.Equal(probabilities[0] >= 0.5 ? "1" : "0", first[0]);
        Assert.Equal(probabilities[0].ToString("R", CultureInfo.InvariantCulture), first[3]);

        // lathe evaluate on the whole file: the unlabelled cars are counted, the rest scored as in training.
        var all = DataSource.Open(path).Read();
        var evaluated = Evaluator.Evaluate(bundle, all);
        Assert.Equal(8, evaluated.DroppedMissingTarget);
        Assert.Equal(406 - 8, evaluated.Rows);
        Assert.Equal(run.Metrics.Test, Evaluator.Evaluate(bundle, run.TestRows).Test);
    }

    [Fact]
    public void Target_lists_read_from_yaml_and_write_back_the_same()
    {
        var file = Path.Combine(TestData.TempDirectory(), "config.yaml");
        File.WriteAllText(file, $"task: regression\ntarget: [Horsepower, Miles_per_Gallon]\ndata:\n  path: {TestData.Vega("cars.json")}\n");
        var config = ConfigReader.Load(file);
        Assert.Equal(["Horsepower", "Miles_per_Gallon"], config.Targets);
        Assert.Equal(["Horsepower", "Miles_per_Gallon"], config.TargetColumns);
        File.WriteAllText(file, ConfigWriter.Write(config));
        Assert.Equal(config.Targets, ConfigReader.Load(file).Targets);
        Assert.Contains("target: [Horsepower, Miles_per_Gallon]", ConfigWriter.Write(config));
    }

    [Fact]
    public void A_missing_or_non_numeric_target_in_the_list_is_an_error_naming_it()
    {
        var missing = Assert.Throws<DataException>(() => TrainingRun.Run(CarsRegression() with { Targets = ["Horsepower", "Mpg"] }, TestData.TempDirectory()));
        Assert.Contains("'Mpg'", missing.Message);
        Assert.Contains("target", missing.Message);
        var text = Assert.Throws<DataException>(() => TrainingRun.Run(CarsRegression() with { Targets = ["Horsepower", "Origin"] }, TestData.TempDirectory()));
        Assert.Contains("'Origin'", text.Message);
        Assert.Contains("not a number", text.Message);
        var notYesNo = Assert.Throws<DataException>(() => TrainingRun.Run(CarsMultilabel(CarsLabels()) with { Targets = ["american", "Horsepower"] }, TestData.TempDirectory()));
        Assert.Contains("'Horsepower'", notYesNo.Message);
        Assert.Contains("0/1", notYesNo.Message);
    }

    [Fact]
    public void Config_errors_name_the_target_key()
    {
        var one = ConfigValidator.Validate(new PipelineConfig { Task = TaskKind.Multilabel, Target = "american", Data = new DataConfig { Path = "x.csv" } });
        Assert.Contains(one, e => e.Path == "target" && e.Message.Contains("at least two"));
        var twice = ConfigValidator.Validate(CarsRegression() with { Targets = ["Horsepower", "Horsepower"] });
        Assert.Contains(twice, e => e.Path == "target" && e.Message.Contains("twice"));
        var classification = ConfigValidator.Validate(CarsRegression() with { Task = TaskKind.Classification });
        Assert.Contains(classification, e => e.Path == "target" && e.Message.Contains("multilabel"));
        var loss = ConfigValidator.Validate(CarsMultilabel("x.csv") with { Training = new TrainingConfig { Loss = LossKind.CrossEntropy } });
        Assert.Contains(loss, e => e.Path == "training.loss" && e.Message.Contains("multilabel"));
        var smoothing = ConfigValidator.Validate(CarsMultilabel("x.csv") with { Training = new TrainingConfig { LabelSmoothing = 0.1 } });
        Assert.Contains(smoothing, e => e.Path == "training.label_smoothing" && e.Message.Contains("multilabel"));
        var encode = ConfigValidator.Validate(CarsRegression() with { Prepare = new PrepareConfig { Encode = EncodeKind.Target } });
        Assert.Contains(encode, e => e.Path == "prepare.encode");
    }
}
