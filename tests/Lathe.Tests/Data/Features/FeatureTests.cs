using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Features;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Training;

namespace Lathe.Tests.Data.Features;

public class FeatureTests
{
    private static Table Penguins()
    {
        var table = DataSource.Open(TestData.Vega("penguins.json")).Read();
        return TypeCoercion.Apply(table, SchemaInference.Infer(table, "Species"));
    }

    [Fact]
    public void A_formula_over_real_columns_computes_row_by_row_with_missing_values_kept_missing()
    {
        var penguins = Penguins();
        var derived = new DeriveFeatures(new Dictionary<string, string> { ["density"] = "`Body Mass (g)` / (`Flipper Length (mm)` / 100) ^ 2", ["log_mass"] = "log(`Body Mass (g)`) - 1" }).Fit(penguins).Transform(penguins);
        var mass = ((NumericColumn)penguins["Body Mass (g)"]).Values;
        var flipper = ((NumericColumn)penguins["Flipper Length (mm)"]).Values;
        var density = ((NumericColumn)derived["density"]).Values;
        Assert.Equal(3750 / Math.Pow(1.81, 2), density[0], 9);
        Assert.Equal(Math.Log(3750) - 1, ((NumericColumn)derived["log_mass"]).Values[0], 12);
        Assert.Equal(mass.Count(double.IsNaN), density.Count(double.IsNaN));
        Assert.Equal(flipper.Length, density.Length);
    }

    [Theory]
    [InlineData("`Body Mass` * 2", "no column (read by the formula for 'x') named 'Body Mass' — did you mean 'Body Mass (g)'?")]
    [InlineData("Island * 2", "reads 'Island', which is not a numeric column")]
    [InlineData("cube(`Body Mass (g)`)", "unknown function 'cube'")]
    [InlineData("(`Body Mass (g)` * 2", "at character 21: expected ')'")]
    [InlineData("2 +", "the formula ends too early")]
    public void A_bad_formula_is_an_error_naming_the_problem(string formula, string message)
    {
        var penguins = Penguins();
        var error = Assert.Throws<DataException>(() => new DeriveFeatures(new Dictionary<string, string> { ["x"] = formula }).Fit(penguins));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_broken_formula_in_the_config_is_caught_before_any_work()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigReader.Parse("target: y\ndata: { path: a.csv }\nprepare:\n  derive: { ratio: \"a / (b\" }\n", "run.yaml"));
        Assert.Contains("prepare.derive.ratio: formula \"a / (b\"", error.Message);
    }

    [Fact]
    public void Derived_columns_are_recomputed_when_the_bundle_predicts()
    {
        var config = TestData.Penguins() with { Prepare = new PrepareConfig { Derive = new Dictionary<string, string> { ["beak_ratio"] = "`Beak Length (mm)` / `Beak Depth (mm)`" } } };
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        var bundle = Bundle.Load(result.BundlePath);
        Assert.Contains("beak_ratio", bundle.Pipeline.FeatureNames);
        Assert.True(result.Metrics.Test["accuracy"] >= 0.97);
        using var predictor = bundle.CreatePredictor();
        Assert.Equal(result.TestPredictions.Probabilities, predictor.Predict(result.TestRows).Probabilities);
    }

    [Fact]
    public void Constant_and_near_duplicate_features_are_dropped_with_the_reason()
    {
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));
        var file = Path.Combine(TestData.TempDirectory(), "weather.csv");
        // A constant station, and the maximum temperature again in Fahrenheit: both add nothing.
        File.WriteAllLines(file, [lines[0] + ",station,temp_max_f", .. lines[1..].Select(l => l + $",SEA,{double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture) * 9 / 5 + 32}")]);
        var table = DataSource.Open(file).Read();
        var typed = TypeCoercion.Apply(table, SchemaInference.Infer(table, "weather"));
        var fitted = (FittedSelectFeatures)new SelectFeatures(0.98).Fit(new Lathe.Data.Transforms.OneHotEncode().Fit(typed).Transform(typed));
        Assert.Contains(fitted.Dropped, d => d.Name == "temp_max_f" && d.Reason == "correlation 1.000 with 'temp_max', which is kept");
        Assert.Contains(fitted.Dropped, d => d.Name == "station=SEA" && d.Reason == "constant in the training part");
        Assert.DoesNotContain(fitted.Dropped, d => d.Name is "temp_max" or "precipitation" or "wind");
    }

    [Fact]
    public void Dates_get_cyclical_encodings_so_december_sits_next_to_january()
    {
        var table = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var typed = TypeCoercion.Apply(table, SchemaInference.Infer(table, "weather"));
        double Sin(int row) => ((NumericColumn)typed["date.month_sin"]).Values[row];
        double Cos(int row) => ((NumericColumn)typed["date.month_cos"]).Values[row];
        Assert.Equal((0.0, 1.0), (Sin(0), Cos(0)));
        var december = Array.FindIndex(((StringColumn)table["date"]).Values, d => d == "2012-12-31");
        var june = Array.FindIndex(((StringColumn)table["date"]).Values, d => d == "2012-06-30");
        double Distance(int a, int b) => Math.Sqrt(Math.Pow(Sin(a) - Sin(b), 2) + Math.Pow(Cos(a) - Cos(b), 2));
        Assert.True(Distance(december, 0) < Distance(june, 0));
    }
}
