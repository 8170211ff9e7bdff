using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Data.Splitting;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class TargetEncodeTests
{
    /// <summary>vega's cars with each car's brand, the first word of its name ("ford", "toyota", "vw", …), and only
    /// the rows that have <paramref name="target"/>.</summary>
    public static Table CarsWithBrand(string target)
    {
        var cars = DataSource.Open(TestData.Vega("cars.json")).Read();
        var brands = ((StringColumn)cars["Name"]).Values.Select(n => n!.Split(' ')[0]).ToArray();
        var table = cars.With([.. cars.Columns, new StringColumn("Brand", brands)]);
        return table.Gather(FittedTarget.RowsWithTarget(table[target]));
    }

    private static string[] Brands(Table cars) => ((StringColumn)cars["Brand"]).Values.Select(v => v!).ToArray();

    private static double[] Column(Table table, string name) => ((NumericColumn)table[name]).Values;

    [Fact]
    public void Training_rows_get_out_of_fold_class_frequencies_that_match_a_hand_computation()
    {
        var cars = CarsWithBrand("Origin");
        var target = FittedTarget.Fit(cars["Origin"], TaskKind.Classification, []);
        Assert.Equal(["Europe", "Japan", "USA"], target.Classes);
        var brand = new Table([cars["Brand"]], cars.Source);
        var (fitted, train) = new TargetEncode(target, cars, smoothing: 10, folds: 5, seed: 42).FitTransform(brand);
        Assert.Equal(["Brand.p_Europe", "Brand.p_Japan", "Brand.p_USA"], train.ColumnNames);
        var inFold = fitted.Transform(brand);

        // By hand: the rows of the other four folds, their class shares (the prior), and among them the rows of
        // the same brand; the encoding is (count of the class + 10 · prior) / (rows of the brand + 10).
        var classes = target.EncodeClasses(cars);
        var brands = Brands(cars);
        var folds = KFold.Assign(cars.RowCount, 5, 42, classes);
        double ByHand(int[] rows, int row, int c)
        {
            var prior = rows.Count(r => classes[r] == c) / (double)rows.Length;
            var same = rows.Where(r => brands[r] == brands[row]).ToArray();
            return (same.Count(r => classes[r] == c) + 10 * prior) / (same.Length + 10);
        }
        var all = Enumerable.Range(0, cars.RowCount).ToArray();
        foreach (var row in new[] { 0, 17, 150, 301, 400 })
        {
            var others = all.Where(r => folds[r] != folds[row]).ToArray();
            for (var c = 0; c < 3; c++)
            {
                var name = $"Brand.p_{target.Classes[c]}";
                Assert.Equal(ByHand(others, row, c), Column(train, name)[row], 12);
                Assert.Equal(ByHand(all, row, c), Column(inFold, name)[row], 12);
                Assert.NotEqual(Column(inFold, name)[row], Column(train, name)[row]);
            }
        }
        // Row 0 is a chevrolet: 44 of them, all American, so even out of fold its encoding is near 1 for USA.
        Assert.Equal("chevrolet", brands[0]);
        Assert.InRange(Column(train, "Brand.p_USA")[0], 0.85, 0.95);
    }

    [Fact]
    public void Unknown_and_missing_categories_get_the_prior()
    {
        var cars = CarsWithBrand("Origin");
        var target = FittedTarget.Fit(cars["Origin"], TaskKind.Classification, []);
        var fitted = (FittedTargetEncode)new TargetEncode(target, cars).Fit(new Table([cars["Brand"]], cars.Source));
        Assert.Equal([73 / 406.0, 79 / 406.0, 254 / 406.0], fitted.Prior);
        var unseen = fitted.Transform(new Table([new StringColumn("Brand", ["zorblax", null])], "request"));
        Assert.Equal([254 / 406.0, 254 / 406.0], Column(unseen, "Brand.p_USA"));
    }

    [Fact]
    public void Two_classes_give_one_column_for_the_second()
    {
        var cars = CarsWithBrand("Origin");
        var american = ((StringColumn)cars["Origin"]).Values.Select(o => o == "USA" ? "american" : "imported").ToArray();
        var labelled = cars.With([.. cars.Columns.Where(c => c.Name != "Origin"), new StringColumn("Origin", american)]);
        var target = FittedTarget.Fit(labelled["Origin"], TaskKind.Classification, []);
        var (_, train) = new TargetEncode(target, labelled).FitTransform(new Table([cars["Brand"]], cars.Source));
        Assert.Equal(["Brand.p_imported"], train.ColumnNames);
    }

    [Fact]
    public void Regression_encodes_the_smoothed_mean_of_the_standardised_target()
    {
        var cars = CarsWithBrand("Miles_per_Gallon");
        var all = Enumerable.Range(0, cars.RowCount).ToArray();
        var target = FittedTarget.Fit(cars["Miles_per_Gallon"], TaskKind.Regression, all);
        var brand = new Table([cars["Brand"]], cars.Source);
        var (fitted, train) = new TargetEncode(target, cars, smoothing: 5, folds: 4, seed: 1).FitTransform(brand);
        Assert.Equal(["Brand.target_mean"], train.ColumnNames);

        var mpg = target.NumbersOf(cars).Select(v => (v - target.Mean) / target.Std).ToArray();
        var brands = Brands(cars);
        var folds = KFold.Assign(cars.RowCount, 4, 1);
        double ByHand(int[] rows, int row)
        {
            var prior = rows.Average(r => mpg[r]);
            var same = rows.Where(r => brands[r] == brands[row]).ToArray();
            return (same.Sum(r => mpg[r]) + 5 * prior) / (same.Length + 5);
        }
        foreach (var row in new[] { 3, 99, 250 })
        {
            Assert.Equal(ByHand(all.Where(r => folds[r] != folds[row]).ToArray(), row), Column(train, "Brand.target_mean")[row], 12);
            Assert.Equal(ByHand(all, row), Column(fitted.Transform(brand), "Brand.target_mean")[row], 12);
        }
        // Toyotas and datsuns run further on a gallon than fords.
        var inFold = Column(fitted.Transform(brand), "Brand.target_mean");
        Assert.True(inFold[Array.IndexOf(brands, "datsun")] > 0.5 && inFold[Array.IndexOf(brands, "ford")] < 0);
    }

    [Fact]
    public void Out_of_fold_values_depend_on_the_seed_and_nothing_else()
    {
        var cars = CarsWithBrand("Origin");
        var target = FittedTarget.Fit(cars["Origin"], TaskKind.Classification, []);
        var brand = new Table([cars["Brand"]], cars.Source);
        double[] Encode(int seed) => Column(new TargetEncode(target, cars, seed: seed).FitTransform(brand).Train, "Brand.p_Japan");
        Assert.Equal(Encode(7), Encode(7));
        Assert.NotEqual(Encode(7), Encode(8));
    }
}
