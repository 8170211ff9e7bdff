using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Cleaning;

public class PrepareStepTests
{
    private static Table Movies()
    {
        var table = DataSource.Open(TestData.Vega("movies.json")).Read();
        return TypeCoercion.Apply(table, SchemaInference.Infer(table, "Major Genre"));
    }

    [Fact]
    public void Mostly_missing_movie_columns_are_dropped_with_the_reason()
    {
        var movies = Movies();
        var fitted = (FittedDropColumns)new DropSparseColumns(0.5).Fit(movies);
        var dvd = ((NumericColumn)movies["US DVD Sales"]).Values;
        Assert.True(dvd.Count(double.IsNaN) > dvd.Length / 2);
        var dropped = Assert.Single(fitted.Columns, c => c.Name == "US DVD Sales");
        Assert.StartsWith("missing in ", dropped.Reason);
        Assert.All(fitted.Columns, c => Assert.True(movies[c.Name].Count > 0));
        Assert.False(fitted.Transform(movies).Contains("US DVD Sales"));
        Assert.True(fitted.Transform(movies).Contains("IMDB Rating"));
    }

    [Theory]
    [InlineData(NumericImputation.Mean)]
    [InlineData(NumericImputation.Zero)]
    public void Numbers_can_be_filled_with_the_mean_or_zero(NumericImputation how)
    {
        var movies = Movies();
        var fitted = (FittedImpute)new Impute(how).Fit(movies);
        var rating = ((NumericColumn)movies["IMDB Rating"]).Values;
        var expected = how == NumericImputation.Zero ? 0 : rating.Where(v => !double.IsNaN(v)).Average();
        Assert.Equal(expected, fitted.Columns.Single(c => c.Name == "IMDB Rating").Number!.Value, 12);
    }

    [Fact]
    public void Missing_indicators_mark_exactly_the_filled_in_values()
    {
        var movies = Movies();
        var filled = new Impute(indicators: true).Fit(movies).Transform(movies);
        var original = ((NumericColumn)movies["Rotten Tomatoes Rating"]).Values;
        var flags = ((NumericColumn)filled["Rotten Tomatoes Rating.missing"]).Values;
        Assert.Equal(original.Select(v => double.IsNaN(v) ? 1.0 : 0.0), flags);
        Assert.DoesNotContain(((NumericColumn)filled["Rotten Tomatoes Rating"]).Values, double.IsNaN);
    }

    [Fact]
    public void Missing_categories_can_be_a_category_of_their_own()
    {
        var movies = Movies();
        var filled = new Impute(categorical: CategoricalImputation.Missing).Fit(movies).Transform(movies);
        var rating = ((StringColumn)movies["MPAA Rating"]).Values;
        var result = ((StringColumn)filled["MPAA Rating"]).Values;
        Assert.Equal(rating.Count(v => v is null), result.Count(v => v == Impute.MissingCategory));
    }

    [Theory]
    [InlineData(OutlierMethod.Iqr, 1.5)]
    [InlineData(OutlierMethod.Zscore, 3)]
    public void Outliers_in_movie_budgets_are_clipped_to_bounds_fitted_on_training(OutlierMethod method, double k)
    {
        var movies = Movies();
        var fitted = (FittedClipOutliers)new ClipOutliers(method, k).Fit(movies);
        var budget = ((NumericColumn)movies["Production Budget"]).Values;
        var present = budget.Where(v => !double.IsNaN(v)).Order().ToArray();
        var bounds = fitted.Columns.Single(c => c.Name == "Production Budget");
        if (method == OutlierMethod.Iqr)
        {
            double q1 = Quantile.Of(present, 0.25), q3 = Quantile.Of(present, 0.75);
            Assert.Equal(q3 + k * (q3 - q1), bounds.Upper, 6);
        }
        Assert.True(present[^1] > bounds.Upper, "the biggest budgets are outliers");
        var clipped = ((NumericColumn)fitted.Transform(movies)["Production Budget"]).Values;
        Assert.Equal(bounds.Upper, clipped.Where(v => !double.IsNaN(v)).Max());
        Assert.Equal(budget.Count(double.IsNaN), clipped.Count(double.IsNaN));
    }

    [Fact]
    public void Exact_duplicates_are_dropped_and_conflicting_ones_counted()
    {
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));
        // 50 rows repeated exactly, and 10 repeated with a different label.
        var changed = lines[200..210].Select(l => l[..l.LastIndexOf(',')] + ",hail");
        var file = Path.Combine(TestData.TempDirectory(), "weather.csv");
        File.WriteAllLines(file, [.. lines, .. lines[1..51], .. changed]);
        var (kept, dropped, conflicting) = Duplicates.Drop(DataSource.Open(file).Read(), "weather");
        Assert.Equal(50, dropped);
        Assert.Equal(10, conflicting);
        Assert.Equal(1461 + 10, kept.RowCount);
    }

    [Fact]
    public void Duplicate_images_are_found_by_their_pixels()
    {
        var images = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read();
        var doubled = images.Gather([.. Enumerable.Range(0, 500), .. Enumerable.Range(0, 20)]);
        var (kept, dropped, _) = Duplicates.Drop(doubled, "label");
        Assert.Equal(20, dropped);
        Assert.Equal(500, kept.RowCount);
    }

    [Fact]
    public void Auto_drops_rare_duplicates_and_keeps_common_ones()
    {
        var weather = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var rare = weather.Gather([.. Enumerable.Range(0, 1461), 0, 1, 2]);
        var (kept, found, dropped, _) = Duplicates.Handle(rare, "weather", DuplicateHandling.Auto);
        Assert.Equal((1461, 3, 3), (kept.RowCount, found, dropped));

        var flights = DataSource.Open(TestData.Vega("flights-2k.json")).Read();
        var coarse = flights.With([flights["delay"], flights["distance"]]);
        var (all, common, none, _) = Duplicates.Handle(coarse, "delay", DuplicateHandling.Auto);
        Assert.True(common > 0.01 * coarse.RowCount, $"{common} duplicates");
        Assert.Equal((coarse.RowCount, 0), (all.RowCount, none));
        Assert.Equal(coarse.RowCount - common, Duplicates.Handle(coarse, "delay", DuplicateHandling.Drop).Kept.RowCount);
    }
}
