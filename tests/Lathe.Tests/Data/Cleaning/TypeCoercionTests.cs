using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Cleaning;

public class TypeCoercionTests
{
    [Fact]
    public void Csv_text_becomes_numbers_and_date_parts()
    {
        var table = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var typed = TypeCoercion.Apply(table, SchemaInference.Infer(table, "weather"));
        Assert.Equal(0.0, ((NumericColumn)typed["precipitation"]).Values[0]);
        Assert.Equal(2012, ((NumericColumn)typed["date.year"]).Values[0]);
        Assert.Equal(1, ((NumericColumn)typed["date.month"]).Values[0]);
        Assert.Equal((double)DayOfWeek.Sunday, ((NumericColumn)typed["date.weekday"]).Values[0]);
        Assert.False(typed.Contains("weather"));
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_file_line_and_column()
    {
        var table = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var schema = SchemaInference.Infer(table, "weather");
        var file = Path.Combine(TestData.TempDirectory(), "weather.csv");
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));
        lines[3] = lines[3].Replace(",0.8,", ",lots,");
        File.WriteAllLines(file, lines);
        var error = Assert.Throws<DataException>(() => TypeCoercion.Apply(DataSource.Open(file).Read(), schema));
        Assert.Contains("weather.csv line 4, column 'precipitation': 'lots' is not a number", error.Message);
    }

    [Fact]
    public void A_missing_feature_column_is_named_with_the_nearest_one()
    {
        var (train, _, schema) = PenguinsParts.Raw();
        var renamed = train.With(train.Columns.Select(c => c.Name == "Island" ? c.Rename("island") : c).ToArray());
        var error = Assert.Throws<DataException>(() => TypeCoercion.Apply(renamed, schema));
        Assert.Contains("no categorical column (the model was trained with it) named 'Island' — did you mean 'island'?", error.Message);
    }
}
