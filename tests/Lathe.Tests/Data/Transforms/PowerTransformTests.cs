using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class PowerTransformTests
{
    private static Table Movies()
    {
        var table = DataSource.Open(TestData.Vega("movies.json")).Read();
        var typed = TypeCoercion.Apply(table, SchemaInference.Infer(table, "Major Genre"));
        return new Impute().Fit(typed).Transform(typed);
    }

    private static double Skew(Table table, string column) => PowerTransform.Skewness(((NumericColumn)table[column]).Values);

    [Theory]
    // Budgets are all positive: a plain log suits them. Grosses include zeros, which a log turns into
    // far outliers; Yeo-Johnson's fitted λ copes.
    [InlineData(TransformKind.Log, "Production Budget", 1.5)]
    [InlineData(TransformKind.YeoJohnson, "Worldwide Gross", 0.5)]
    [InlineData(TransformKind.BoxCox, "Production Budget", 0.5)]
    public void Skewed_movie_money_becomes_nearly_symmetric(TransformKind kind, string column, double limit)
    {
        var movies = Movies();
        Assert.True(Skew(movies, column) > 2);
        var transformed = new PowerTransform(kind).Fit(movies).Transform(movies);
        Assert.InRange(Math.Abs(Skew(transformed, column)), 0, limit);
    }

    [Fact]
    public void Auto_transforms_only_the_skewed_columns()
    {
        var movies = Movies();
        var fitted = (FittedPowerTransform)new PowerTransform(TransformKind.Auto).Fit(movies);
        Assert.Contains(fitted.Columns, c => c.Name == "Worldwide Gross" && c.Method == TransformKind.YeoJohnson);
        Assert.True(Math.Abs(Skew(movies, "IMDB Rating")) <= 1);
        Assert.DoesNotContain(fitted.Columns, c => c.Name == "IMDB Rating");
    }

    [Fact]
    public void Box_cox_skips_a_column_with_zeros_and_says_why()
    {
        var movies = Movies();
        Assert.Contains(((NumericColumn)movies["US Gross"]).Values, v => v == 0);
        var fitted = (FittedPowerTransform)new PowerTransform(TransformKind.BoxCox).Fit(movies);
        var gross = fitted.Columns.Single(c => c.Name == "US Gross");
        Assert.Equal((TransformKind.None, "has values at or below 0 in training; left as is"), (gross.Method, gross.Skipped));
    }

    [Fact]
    public void The_fitted_lambda_maximises_the_likelihood()
    {
        var horsepower = ((NumericColumn)DataSource.Open(TestData.Vega("cars.json")).Read()["Horsepower"]).Values.Where(v => !double.IsNaN(v)).ToArray();
        var lambda = PowerTransform.FitLambda(horsepower, TransformKind.BoxCox);
        double Likelihood(double l)
        {
            var t = horsepower.Select(v => FittedPowerTransform.Apply(TransformKind.BoxCox, l, v)).ToArray();
            var mean = t.Average();
            return -horsepower.Length / 2.0 * Math.Log(t.Sum(x => (x - mean) * (x - mean)) / t.Length) + (l - 1) * horsepower.Sum(Math.Log);
        }
        Assert.True(Likelihood(lambda) >= Likelihood(lambda - 0.05));
        Assert.True(Likelihood(lambda) >= Likelihood(lambda + 0.05));
        Assert.InRange(lambda, -1.5, 1);
    }

    [Fact]
    public void Yeo_johnson_is_continuous_across_zero_and_matches_its_formula()
    {
        Assert.Equal(Math.Log(2), FittedPowerTransform.Apply(TransformKind.YeoJohnson, 0, 1), 12);
        Assert.Equal((Math.Pow(3, 0.5) - 1) / 0.5, FittedPowerTransform.Apply(TransformKind.YeoJohnson, 0.5, 2), 12);
        Assert.Equal(-(Math.Pow(3, 1.5) - 1) / 1.5, FittedPowerTransform.Apply(TransformKind.YeoJohnson, 0.5, -2), 12);
        Assert.Equal(0, FittedPowerTransform.Apply(TransformKind.YeoJohnson, 0.7, 0), 12);
        Assert.True(Math.Abs(FittedPowerTransform.Apply(TransformKind.YeoJohnson, 0.7, 1e-9) - FittedPowerTransform.Apply(TransformKind.YeoJohnson, 0.7, -1e-9)) < 1e-8);
    }
}
