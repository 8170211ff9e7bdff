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
        // 2012-01-01 is 42 years of 365 days and 10 leap days after 1970-01-01; the next row is a day later.
        Assert.Equal(15340, ((NumericColumn)typed["date.elapsed_days"]).Values[0]);
        Assert.Equal(15341, ((NumericColumn)typed["date.elapsed_days"]).Values[1]);
        Assert.False(typed.Contains("weather"));
    }

    [Fact]
    public void Elapsed_days_count_the_time_of_day_as_a_fraction()
    {
        var table = new Table([new StringColumn("at", ["1970-01-02T06:00:00", "1969-12-31 18:00", null])], "times.csv");
        var typed = TypeCoercion.Apply(table, new DataSchema([new ColumnSchema("at", ColumnType.DateTime) { DateParts = ["elapsed_days", "hour"] }]));
        Assert.Equal(["at.elapsed_days", "at.hour"], typed.Columns.Select(c => c.Name));
        Assert.Equal([1.25, -0.25, double.NaN], ((NumericColumn)typed["at.elapsed_days"]).Values);
    }

    [Fact]
    public void A_schema_from_before_elapsed_days_keeps_its_eleven_date_parts()
    {
        var table = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var inferred = SchemaInference.Infer(table, "weather");
        Assert.Equal(TypeCoercion.DateParts, inferred.Find("date")!.DateParts);
        // A bundle's pipeline.json from before the part was added has no DateParts: it reads back as null, and its
        // dates become the parts its model was fitted on.
        var json = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(inferred, Lathe.Bundles.BundleJson.Options))!;
        var columns = json["columns"]!.AsArray();
        Assert.Equal(TypeCoercion.DateParts, columns.Single(c => (string?)c!["name"] == "date")!["date_parts"]!.AsArray().Select(p => (string?)p));
        foreach (var column in columns) column!.AsObject().Remove("date_parts");
        var old = System.Text.Json.JsonSerializer.Deserialize<DataSchema>(json, Lathe.Bundles.BundleJson.Options)!;
        Assert.Null(old.Find("date")!.DateParts);
        var typed = TypeCoercion.Apply(table, old);
        Assert.Equal(TypeCoercion.FirstDateParts.Select(p => $"date.{p}"), typed.Columns.Select(c => c.Name).Where(n => n.StartsWith("date.")));
        Assert.False(typed.Contains("date.elapsed_days"));
    }

    [Fact]
    public void A_date_part_this_Lathe_does_not_know_is_named()
    {
        var table = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var schema = SchemaInference.Infer(table, "weather");
        var tampered = new DataSchema(schema.Columns.Select(c => c.Name == "date" ? c with { DateParts = ["year", "fortnight"] } : c).ToArray());
        var error = Assert.Throws<DataException>(() => TypeCoercion.Apply(table, tampered));
        Assert.Contains("column 'date': the schema asks for the date part 'fortnight'", error.Message);
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
