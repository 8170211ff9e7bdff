using Lathe.Data;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Sources;

public class JsonSourceTests
{
    [Fact]
    public void Reads_penguins_records_with_missing_values_as_nan()
    {
        var table = DataSource.Open(TestData.Vega("penguins.json")).Read();
        Assert.Equal(344, table.RowCount);
        Assert.Equal(["Species", "Island", "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Sex"], table.ColumnNames);
        var beak = Assert.IsType<NumericColumn>(table["Beak Length (mm)"]);
        Assert.Equal(39.1, beak.Values[0]);
        Assert.Equal(2, beak.Values.Count(double.IsNaN));
        Assert.IsType<StringColumn>(table["Sex"]);
    }

    [Fact]
    public void Records_with_different_keys_and_nulls_still_line_up()
    {
        var table = DataSource.Open(TestData.Vega("movies.json")).Read();
        Assert.Equal(3201, table.RowCount);
        var rating = Assert.IsType<NumericColumn>(table["Rotten Tomatoes Rating"]);
        Assert.Contains(rating.Values, double.IsNaN);
        Assert.Equal("The Land Girls", ((StringColumn)table["Title"]).Values[0]);
    }

    [Fact]
    public void A_nested_objects_fields_are_columns_named_by_their_path()
    {
        // weekly-weather.json: {"day":"M","record":{"high":62,"low":15},...}; half the records have "actual", the
        // other half "forecast" two levels deep ({"high":{"high":53,"low":46},...}).
        var table = DataSource.Open(TestData.Vega("weekly-weather.json")).Read();
        Assert.Equal(10, table.RowCount);
        Assert.Equal(["day", "record.high", "record.low", "normal.high", "normal.low", "actual.high", "actual.low", "id",
            "forecast.high.high", "forecast.high.low", "forecast.low.high", "forecast.low.low"], table.ColumnNames);
        Assert.Equal(62, ((NumericColumn)table["record.high"]).Values[0]);
        Assert.Equal(5, ((NumericColumn)table["actual.low"]).Values.Count(double.IsNaN));
        Assert.Equal(46, ((NumericColumn)table["forecast.high.low"]).Values[^1]);
        Assert.True(double.IsNaN(((NumericColumn)table["forecast.high.low"]).Values[0]));
        // As JSON Lines, read in batches of three as `lathe predict` streams it: the same columns and values.
        var lines = Path.Combine(TestData.TempDirectory(), "weekly-weather.jsonl");
        File.WriteAllLines(lines, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(TestData.Vega("weekly-weather.json")))!.AsArray().Select(r => r!.ToJsonString()));
        var batches = new JsonSource(lines).ReadBatches(3).ToArray();
        Assert.Equal(4, batches.Length);
        Assert.Equal(table.ColumnNames, batches[^1].ColumnNames);
        Assert.Equal(((NumericColumn)table["forecast.low.high"]).Values[9..], ((NumericColumn)batches[^1]["forecast.low.high"]).Values);
        Assert.Equal(((NumericColumn)table["record.low"]).Values[..3], ((NumericColumn)batches[0]["record.low"]).Values);
    }

    [Fact]
    public void A_json_object_instead_of_records_is_refused()
    {
        var error = Assert.Throws<DataException>(() => DataSource.Open(TestData.Vega("us-10m.json")).Read());
        Assert.Contains("expected a JSON array of records", error.Message);
    }

    [Fact]
    public void A_record_that_is_not_an_object_is_quarantined_by_its_record_number()
    {
        var file = Path.Combine(TestData.TempDirectory(), "mixed.json");
        File.WriteAllText(file, "[{\"a\": 1, \"b\": \"x\"}, 42, {\"a\": 3, \"b\": \"y\"}, [1, 2]]");
        var table = DataSource.Open(file).Read();
        Assert.Equal(2, table.RowCount);
        Assert.Equal([1.0, 3.0], ((NumericColumn)table["a"]).Values);
        Assert.Equal([(2, "record is a number, not an object of fields", "42"), (4, "record is an array, not an object of fields", "[1, 2]")],
            table.Quarantined.Select(q => (q.Line, q.Reason, q.Raw)));
        Assert.Equal("record 3", table.RowName(1));
    }

    [Fact]
    public void Malformed_json_names_the_line()
    {
        var file = Path.Combine(TestData.TempDirectory(), "broken.json");
        File.WriteAllText(file, "[\n{\"a\": 1},\n{\"a\": 2,,}\n]");
        var error = Assert.Throws<DataException>(() => DataSource.Open(file).Read());
        Assert.Contains("broken.json: not valid JSON at line 3", error.Message);
    }

    [Fact]
    public void Json_lines_read_like_records_and_a_broken_line_is_quarantined()
    {
        var penguins = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(TestData.Vega("penguins.json")))!.AsArray();
        var lines = penguins.Select(p => p!.ToJsonString()).ToList();
        lines.Insert(10, "{\"Species\": \"Adelie\", \"Island\": ");
        lines.Insert(20, "");
        var file = Path.Combine(TestData.TempDirectory(), "penguins.jsonl");
        File.WriteAllLines(file, lines);
        File.Copy(file, Path.ChangeExtension(file, ".json"));
        foreach (var path in new[] { file, Path.ChangeExtension(file, ".json") })
        {
            var table = DataSource.Open(path).Read();
            Assert.Equal(344, table.RowCount);
            var bad = Assert.Single(table.Quarantined);
            Assert.Equal(11, bad.Line);
            Assert.StartsWith("not valid JSON", bad.Reason);
            Assert.Equal(39.1, ((NumericColumn)table["Beak Length (mm)"]).Values[0]);
            Assert.Equal("line 12", table.RowName(10));
        }
    }

    [Fact]
    public void Json_lines_batches_keep_line_numbers_quarantine_and_late_keys_and_join_into_the_whole_read()
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(TestData.Vega("flights-20k.json")));
        var lines = document.RootElement.EnumerateArray().Select(r => r.GetRawText()).ToList();
        lines[12_345] = lines[12_345].TrimEnd('}') + ",\"note\":\"late key\"}";
        lines.Insert(777, "{\"broken\": ");
        lines.Insert(9_000, "");
        var file = Path.Combine(TestData.TempDirectory(), "flights.jsonl");
        File.WriteAllText(file, "\uFEFF" + string.Join("\r\n", lines));
        var source = DataSource.Open(file);
        var read = source.Read();
        Assert.Equal("line 779", read.RowName(777));
        Assert.Equal(778, Assert.Single(read.Quarantined).Line);
        var batches = source.ReadBatches(3_000).ToList();
        Assert.Equal(7, batches.Count);
        Assert.DoesNotContain("note", batches[0].ColumnNames);
        BatchAssert.SameAsRead(read, batches, 3_000);
    }
}
