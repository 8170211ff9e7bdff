using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Cleaning;

public class ImputeTests
{
    [Fact]
    public void Missing_numbers_get_the_training_median_and_missing_categories_the_training_mode()
    {
        var (train, _, _) = PenguinsParts.Typed();
        var fitted = (FittedImpute)new Impute().Fit(train);

        var beak = ((NumericColumn)train["Beak Length (mm)"]).Values.Where(v => !double.IsNaN(v)).Order().ToArray();
        var median = beak.Length % 2 == 1 ? beak[beak.Length / 2] : (beak[beak.Length / 2 - 1] + beak[beak.Length / 2]) / 2;
        Assert.Equal(median, fitted.Columns.Single(c => c.Name == "Beak Length (mm)").Number);
        var sexes = ((StringColumn)train["Sex"]).Values.Where(v => v is not null).GroupBy(v => v).OrderByDescending(g => g.Count()).First().Key;
        Assert.Equal(sexes, fitted.Columns.Single(c => c.Name == "Sex").Category);

        var all = TypeCoercion.Apply(Lathe.Data.Sources.DataSource.Open(TestData.Vega("penguins.json")).Read(), PenguinsParts.Raw().Schema);
        var filled = fitted.Transform(all);
        Assert.DoesNotContain(((NumericColumn)filled["Beak Length (mm)"]).Values, double.IsNaN);
        Assert.DoesNotContain(((StringColumn)filled["Sex"]).Values, v => v is null);
        Assert.Equal(2, ((NumericColumn)all["Beak Length (mm)"]).Values.Count(double.IsNaN));
        Assert.Equal(2, ((NumericColumn)filled["Beak Length (mm)"]).Values.Count(v => v == median) - ((NumericColumn)all["Beak Length (mm)"]).Values.Count(v => v == median));
    }

    [Fact]
    public void The_median_by_selection_equals_the_median_of_the_sorted_values()
    {
        // Real columns (with ties and missing values), odd and even lengths, sorted and reversed.
        var cars = DataSource.Open(TestData.Vega("cars.json")).Read();
        foreach (var name in new[] { "Horsepower", "Cylinders", "Miles_per_Gallon", "Weight_in_lbs" })
        {
            var values = ((NumericColumn)cars[name]).Values;
            foreach (var sample in new[] { values, values[..^1], values.Order().ToArray(), values.OrderDescending().ToArray(), values[..1] })
            {
                var present = sample.Where(v => !double.IsNaN(v)).Order().ToArray();
                var mid = present.Length / 2;
                var expected = present.Length % 2 == 1 ? present[mid] : (present[mid - 1] + present[mid]) / 2;
                Assert.Equal(expected, Impute.Median(sample));
            }
        }
        Assert.Equal(0, Impute.Median([double.NaN, double.NaN]));
    }

    [Fact]
    public void A_constant_fills_missing_numbers_when_asked()
    {
        // Penguins: two birds have no measurements; with a constant, they get exactly that value.
        var (train, _, _) = PenguinsParts.Typed();
        var fitted = (FittedImpute)new Impute(Lathe.Config.NumericImputation.Constant, constant: -1).Fit(train);
        Assert.All(fitted.Columns.Where(c => c.Number is not null), c => Assert.Equal(-1, c.Number));
        var mass = ((NumericColumn)train["Body Mass (g)"]).Values;
        var filled = ((NumericColumn)fitted.Transform(train)["Body Mass (g)"]).Values;
        for (var i = 0; i < mass.Length; i++) Assert.Equal(double.IsNaN(mass[i]) ? -1 : mass[i], filled[i]);
        Assert.Contains(mass, double.IsNaN);
    }
}
