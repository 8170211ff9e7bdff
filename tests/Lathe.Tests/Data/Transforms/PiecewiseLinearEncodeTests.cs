using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;
using Lathe.Training;

namespace Lathe.Tests.Data.Transforms;

public class PiecewiseLinearEncodeTests
{
    private static Table Weather() => DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();

    [Fact]
    public void A_seattle_temperature_is_encoded_as_hand_computed()
    {
        // numpy.quantile(temp_max, [0, .25, .5, .75, 1]) = [-1.6, 10.6, 15.6, 22.2, 35.6]; the first day's 12.8 fills
        // the first bin, (12.8 - 10.6) / (15.6 - 10.6) = 0.44 of the second, and none of the last two.
        var weather = Weather();
        var temps = new Table([weather["temp_max"]], weather.Source);
        var fitted = (FittedPiecewiseLinearEncode)new PiecewiseLinearEncode(4).Fit(temps);
        var column = Assert.Single(fitted.Columns);
        Assert.Equal([-1.6, 10.6, 15.6, 22.2, 35.6], column.Edges.Select(e => Math.Round(e, 10)));
        var encoded = fitted.Transform(temps);
        Assert.Equal(["temp_max.ple1", "temp_max.ple2", "temp_max.ple3", "temp_max.ple4"], encoded.ColumnNames);
        var first = encoded.Columns.Select(c => ((NumericColumn)c).Values[0]).ToArray();
        Assert.Equal([1, 0.44, 0, 0], first.Select(v => Math.Round(v, 10)));
    }

    [Fact]
    public void With_the_number_kept_it_comes_first_unchanged_then_its_bins_and_an_older_pipeline_reads_as_without()
    {
        var weather = Weather();
        var temps = new Table([weather["temp_max"]], weather.Source);
        var fitted = (FittedPiecewiseLinearEncode)new PiecewiseLinearEncode(4, keepNumber: true).Fit(temps);
        var encoded = fitted.Transform(temps);
        Assert.Equal(["temp_max", "temp_max.ple1", "temp_max.ple2", "temp_max.ple3", "temp_max.ple4"], encoded.ColumnNames);
        Assert.Equal(((NumericColumn)temps["temp_max"]).Values, ((NumericColumn)encoded["temp_max"]).Values);
        Assert.Equal([1, 0.44], encoded.Columns.Skip(1).Take(2).Select(c => Math.Round(((NumericColumn)c).Values[0], 10)));
        // A pipeline saved before the option has no such member: it reads back as bins only.
        var json = System.Text.Json.JsonSerializer.Serialize<Lathe.Data.Pipeline.IFittedStep>(fitted with { KeepNumber = false }, BundleJson.Options);
        Assert.DoesNotContain("keep", json, StringComparison.OrdinalIgnoreCase);
        var old = (FittedPiecewiseLinearEncode)System.Text.Json.JsonSerializer.Deserialize<Lathe.Data.Pipeline.IFittedStep>(json, BundleJson.Options)!;
        Assert.False(old.KeepNumber);
        var roundTrip = System.Text.Json.JsonSerializer.Deserialize<Lathe.Data.Pipeline.IFittedStep>(System.Text.Json.JsonSerializer.Serialize<Lathe.Data.Pipeline.IFittedStep>(fitted, BundleJson.Options), BundleJson.Options);
        Assert.True(((FittedPiecewiseLinearEncode)roundTrip!).KeepNumber);
    }

    [Fact]
    public void The_bins_add_back_up_to_every_training_number()
    {
        // Inside training's range the encoding loses nothing: the lowest edge plus each bin's filled share of its width.
        var weather = Weather();
        var fitted = (FittedPiecewiseLinearEncode)new PiecewiseLinearEncode(16).Fit(weather);
        var encoded = fitted.Transform(weather);
        Assert.Equal(["precipitation", "temp_max", "temp_min", "wind"], fitted.Columns.Select(c => c.Name));
        foreach (var column in fitted.Columns)
        {
            var original = ((NumericColumn)weather[column.Name]).Values;
            var bins = Enumerable.Range(1, column.Bins).Select(t => ((NumericColumn)encoded[column.ColumnName(t)]).Values).ToArray();
            for (var row = 0; row < original.Length; row++)
            {
                var sum = column.Edges[0];
                for (var t = 0; t < bins.Length; t++)
                {
                    Assert.InRange(bins[t][row], 0, 1);
                    sum += bins[t][row] * (column.Edges[t + 1] - column.Edges[t]);
                }
                Assert.Equal(original[row], sum, 1e-9);
            }
        }
        // Most days are dry: tied quantiles merge, so precipitation gets far fewer than 16 bins.
        Assert.InRange(fitted.Columns[0].Bins, 2, 10);
        Assert.Equal(16, fitted.Columns[1].Bins);
    }

    [Fact]
    public void Numbers_beyond_training_saturate_missing_stays_missing_and_flags_are_left_alone()
    {
        var weather = Weather();
        var flag = new NumericColumn("rainy", ((NumericColumn)weather["precipitation"]).Values.Select(v => v > 0 ? 1.0 : 0).ToArray());
        var train = new Table([weather["temp_max"], flag], weather.Source);
        var fitted = (FittedPiecewiseLinearEncode)new PiecewiseLinearEncode(8).Fit(train);
        Assert.Equal("temp_max", Assert.Single(fitted.Columns).Name);

        var other = new Table([new NumericColumn("temp_max", [-40, 60, double.NaN]), new NumericColumn("rainy", [1, 0, 1])], "other rows");
        var encoded = fitted.Transform(other);
        Assert.Equal([1, 0, 1], ((NumericColumn)encoded["rainy"]).Values);
        var bins = Enumerable.Range(1, 8).Select(t => ((NumericColumn)encoded[$"temp_max.ple{t}"]).Values).ToArray();
        Assert.All(bins, b => Assert.Equal(0, b[0]));
        Assert.All(bins, b => Assert.Equal(1, b[1]));
        Assert.All(bins, b => Assert.True(double.IsNaN(b[2])));
    }

    [Fact]
    public void A_model_trained_on_the_encoding_predicts_bit_for_bit_from_its_saved_bundle()
    {
        var config = TestData.Penguins() with { Prepare = new PrepareConfig { PiecewiseLinearBins = 8 } };
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        var bundle = Bundle.Load(result.BundlePath);
        var step = Assert.Single(bundle.Pipeline.Steps.OfType<FittedPiecewiseLinearEncode>());
        Assert.Equal(["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"], step.Columns.Select(c => c.Name));
        Assert.Contains("Body Mass (g).ple8", bundle.Pipeline.FeatureNames);
        Assert.DoesNotContain("Body Mass (g)", bundle.Pipeline.FeatureNames);

        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(result.TestRows);
        Assert.Equal(result.TestPredictions.Labels, predictions.Labels);
        Assert.Equal(result.TestPredictions.Probabilities.Select(BitConverter.SingleToInt32Bits), predictions.Probabilities.Select(BitConverter.SingleToInt32Bits));
        Assert.True(result.Metrics.Test["accuracy"] >= 0.9, $"test accuracy {result.Metrics.Test["accuracy"]}");
    }
}
