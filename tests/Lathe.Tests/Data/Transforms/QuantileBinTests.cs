using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class QuantileBinTests
{
    [Fact]
    public void Each_bin_holds_about_the_same_number_of_training_rows()
    {
        var weather = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var temps = new Table([weather["temp_max"]], weather.Source);
        var fitted = (FittedQuantileBin)new QuantileBin(4).Fit(temps);
        Assert.Equal(3, Assert.Single(fitted.Columns).Edges.Count);
        var bins = ((NumericColumn)fitted.Transform(temps)["temp_max"]).Values;
        Assert.Equal([0, 1 / 3.0, 2 / 3.0, 1], bins.Distinct().Order());
        Assert.All(bins.GroupBy(b => b), g => Assert.InRange(g.Count(), 1461 / 4 - 40, 1461 / 4 + 40));
    }

    [Fact]
    public void Ties_merge_bins_instead_of_leaving_empty_ones()
    {
        // Most days have no rain: many quantiles are 0, so far fewer than 10 bins remain.
        var weather = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var rain = new Table([weather["precipitation"]], weather.Source);
        var fitted = (FittedQuantileBin)new QuantileBin(10).Fit(rain);
        var edges = Assert.Single(fitted.Columns).Edges;
        Assert.True(edges.Count < 9);
        Assert.Equal(edges.Distinct().Count(), edges.Count);
        var bins = ((NumericColumn)fitted.Transform(rain)["precipitation"]).Values;
        Assert.Equal(edges.Count + 1, bins.Distinct().Count());
    }
}
