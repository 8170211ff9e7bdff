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

        var encoded = fitted.Transform(imputed);
        var islands = new[] { "Island=Biscoe", "Island=Dream", "Island=Torgersen" }.Select(n => ((NumericColumn)encoded[n]).Values).ToArray();
        var original = ((StringColumn)imputed["Island"]).Values;
        for (var row = 0; row < encoded.RowCount; row++)
        {
            Assert.Equal(1, islands.Sum(c => c[row]));
            Assert.Equal(1, ((NumericColumn)encoded[$"Island={original[row]}"]).Values[row]);
        }
        Assert.False(encoded.Contains("Island"));
    }

    [Fact]
    public void An_unknown_category_at_prediction_time_encodes_as_all_zeros()
    {
        var (train, _, _) = PenguinsParts.Typed();
        var fitted = new OneHotEncode().Fit(new Impute().Fit(train).Transform(train));
        var unseen = new Table([new StringColumn("Island", ["Atlantis", "Dream"]), new StringColumn("Sex", ["MALE", "FEMALE"])], "request");
        var encoded = fitted.Transform(unseen);
        Assert.Equal(0, new[] { "Island=Biscoe", "Island=Dream", "Island=Torgersen" }.Sum(n => ((NumericColumn)encoded[n]).Values[0]));
        Assert.Equal(1, ((NumericColumn)encoded["Island=Dream"]).Values[1]);
    }
}
