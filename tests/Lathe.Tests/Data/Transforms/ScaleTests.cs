using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class ScaleTests
{
    private static (Table Train, Table Validation) Imputed()
    {
        var (train, validation, _) = PenguinsParts.Typed();
        var impute = new Impute().Fit(train);
        return (impute.Transform(train), impute.Transform(validation));
    }

    [Fact]
    public void Standard_scaling_gives_training_columns_mean_zero_and_unit_deviation()
    {
        var (train, _) = Imputed();
        var scaled = new Scale(ScaleKind.Standard).Fit(train).Transform(train);
        foreach (var column in scaled.Columns.OfType<NumericColumn>())
        {
            var mean = column.Values.Average();
            var std = Math.Sqrt(column.Values.Sum(v => (v - mean) * (v - mean)) / (column.Count - 1));
            Assert.Equal(0, mean, 1e-9);
            Assert.Equal(1, std, 1e-9);
        }
    }

    [Fact]
    public void Minmax_scaling_maps_the_training_range_to_zero_one_and_lets_new_rows_fall_outside()
    {
        var (train, validation) = Imputed();
        var fitted = (FittedScale)new Scale(ScaleKind.Minmax).Fit(train);
        foreach (var column in fitted.Transform(train).Columns.OfType<NumericColumn>())
        {
            Assert.Equal(0, column.Values.Min(), 1e-12);
            Assert.Equal(1, column.Values.Max(), 1e-12);
        }
        var body = fitted.Columns.Single(c => c.Name == "Body Mass (g)");
        var trainBody = ((NumericColumn)train["Body Mass (g)"]).Values;
        Assert.Equal((trainBody.Min(), trainBody.Max() - trainBody.Min()), (body.Center, body.Spread));
        var value = ((NumericColumn)validation["Body Mass (g)"]).Values[0];
        Assert.Equal((value - body.Center) / body.Spread, ((NumericColumn)fitted.Transform(validation)["Body Mass (g)"]).Values[0], 12);
    }

    [Fact]
    public void Robust_scaling_centres_on_the_median_and_divides_by_the_interquartile_range()
    {
        var (train, _) = Imputed();
        var fitted = (FittedScale)new Scale(ScaleKind.Robust).Fit(train);
        var sorted = ((NumericColumn)train["Flipper Length (mm)"]).Values.Order().ToArray();
        var flipper = fitted.Columns.Single(c => c.Name == "Flipper Length (mm)");
        Assert.Equal(Quantile.Of(sorted, 0.5), flipper.Center);
        Assert.Equal(Quantile.Of(sorted, 0.75) - Quantile.Of(sorted, 0.25), flipper.Spread);
        var scaled = ((NumericColumn)fitted.Transform(train)["Flipper Length (mm)"]).Values.Order().ToArray();
        Assert.Equal(0, Quantile.Of(scaled, 0.5), 12);
        Assert.Equal(1, Quantile.Of(scaled, 0.75) - Quantile.Of(scaled, 0.25), 12);
    }

    [Fact]
    public void Quantiles_interpolate_like_numpy()
    {
        double[] values = [1, 2, 3, 4];
        Assert.Equal(1.75, Quantile.Of(values, 0.25));
        Assert.Equal(2.5, Quantile.Of(values, 0.5));
        Assert.Equal(4, Quantile.Of(values, 1));
    }
}
