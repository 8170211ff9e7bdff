using Lathe.Data;
using Lathe.Data.Cleaning;

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
}
