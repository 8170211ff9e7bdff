using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class OneHotEncodeTests
{
    [Fact]
    public void Each_island_becomes_one_indicator_column_with_exactly_one_set()
    {
        var (train, _, _) = PenguinsParts.Typed();
        var imputed = new Impute().Fit(train).Transform(train);
        var fitted = (FittedOneHotEncode)new OneHotEncode().Fit(imputed);
        Assert.Equal(["Biscoe", "Dream", "Torgersen"], fitted.Columns.Single(c => c.Name == "Island").Categories);

        var encoded = (OneHotColumn)fitted.Transform(imputed)["Island"];
        Assert.Equal(["Island=Biscoe", "Island=Dream", "Island=Torgersen"], encoded.FeatureNames);
        var islands = Enumerable.Range(0, 3).Select(k => encoded.Indicator(k).Values).ToArray();
        var original = ((StringColumn)imputed["Island"]).Values;
        for (var row = 0; row < encoded.Count; row++)
        {
            Assert.Equal(1, islands.Sum(c => c[row]));
            Assert.Equal(original[row], encoded.Categories[encoded.Codes[row]]);
        }
    }

    [Fact]
    public void The_packed_input_has_one_feature_per_island_with_exactly_one_set()
    {
        var (train, _, schema) = PenguinsParts.Raw();
        var pipeline = Lathe.Data.Pipeline.FittedPipeline.Fit(train, schema);
        var features = pipeline.Transform(train);
        var islands = new[] { "Island=Biscoe", "Island=Dream", "Island=Torgersen" }.Select(n => pipeline.FeatureNames.ToList().IndexOf(n)).ToArray();
        Assert.DoesNotContain(-1, islands);
        var width = pipeline.FeatureNames.Count;
        var original = ((StringColumn)train["Island"]).Values;
        for (var row = 0; row < features.Rows; row++)
        {
            Assert.Equal(1f, islands.Sum(f => features.Values![row * width + f]));
            Assert.Equal(1f, features.Values![row * width + pipeline.FeatureNames.ToList().IndexOf($"Island={original[row]}")]);
        }
    }

    [Fact]
    public void An_unknown_category_at_prediction_time_encodes_as_all_zeros()
    {
        var (train, _, _) = PenguinsParts.Typed();
        var fitted = new OneHotEncode().Fit(new Impute().Fit(train).Transform(train));
        var unseen = new Table([new StringColumn("Island", ["Atlantis", "Dream"]), new StringColumn("Sex", ["MALE", "FEMALE"])], "request");
        var encoded = (OneHotColumn)fitted.Transform(unseen)["Island"];
        Assert.Equal(-1, encoded.Codes[0]);
        Assert.Equal(0, Enumerable.Range(0, 3).Sum(k => encoded.Indicator(k).Values[0]));
        Assert.Equal(1, encoded.Indicator(encoded.Categories.ToList().IndexOf("Dream")).Values[1]);
    }
}
