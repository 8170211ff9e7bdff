using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class OrdinalEncodeTests
{
    [Fact]
    public void Islands_become_codes_in_category_order_and_an_unknown_island_becomes_minus_one()
    {
        var (train, _, _) = PenguinsParts.Typed();
        var imputed = new Impute().Fit(train).Transform(train);
        var fitted = (FittedOrdinalEncode)new OrdinalEncode().Fit(imputed);
        Assert.Equal(["Biscoe", "Dream", "Torgersen"], fitted.Columns.Single(c => c.Name == "Island").Categories);
        var codes = ((NumericColumn)fitted.Transform(imputed)["Island"]).Values;
        var islands = ((StringColumn)imputed["Island"]).Values;
        for (var i = 0; i < codes.Length; i++)
            Assert.Equal(islands[i] switch { "Biscoe" => 0, "Dream" => 1, _ => 2 }, codes[i]);

        var unseen = new Table([new StringColumn("Island", ["Atlantis", "Dream"]), new StringColumn("Sex", ["MALE", "FEMALE"])], "request");
        Assert.Equal([-1.0, 1.0], ((NumericColumn)fitted.Transform(unseen)["Island"]).Values);
    }
}
