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

    /// <summary>penguins.json written in each of the shapes a table comes in as one JSON document, as pandas'
    /// <c>to_json</c> orients, APIs and R's jsonlite write them.</summary>
    public static TheoryData<string, string> Shapes() => new()
    {
        { "wrapped", "records under the key 'data' (the other keys, 'meta', are not read)" },
        { "split", "pandas' split layout (\"columns\" and \"data\")" },
        { "columns", "a column per key, each an object of values keyed by row (pandas' to_json)" },
        { "index", "a row per key, each an object of fields (pandas' orient=\"index\")" },
        { "lists", "a column per key, each a list of values" },
        { "rows", "the file is an array of rows (arrays of values); the first row names the columns, as it holds text that is not numbers" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_table_written_in_another_json_shape_reads_as_its_records_do(string shape, string said)
    {
        var records = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(TestData.Vega("penguins.json")))!.AsArray();
        var names = records[0]!.AsObject().Select(p => p.Key).ToArray();
        System.Text.Json.Nodes.JsonNode? Cell(int row, string name) => records[row]![name]?.DeepClone();
        var rows = Enumerable.Range(0, records.Count);
        var document = shape switch
        {
            "wrapped" => new System.Text.Json.Nodes.JsonObject { ["meta"] = new System.Text.Json.Nodes.JsonObject { ["source"] = "vega" }, ["data"] = records.DeepClone() },
            "split" => new System.Text.Json.Nodes.JsonObject
            {
                ["columns"] = new System.Text.Json.Nodes.JsonArray(names.Select(n => (System.Text.Json.Nodes.JsonNode?)n).ToArray()),
                ["index"] = new System.Text.Json.Nodes.JsonArray(rows.Select(i => (System.Text.Json.Nodes.JsonNode?)i).ToArray()),
                ["data"] = new System.Text.Json.Nodes.JsonArray(rows.Select(i => (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonArray(names.Select(n => Cell(i, n)).ToArray())).ToArray()),
            },
            "columns" => new System.Text.Json.Nodes.JsonObject(names.Select(n => KeyValuePair.Create(n, (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject(rows.Select(i => KeyValuePair.Create($"{i}", Cell(i, n))))))),
            "index" => new System.Text.Json.Nodes.JsonObject(rows.Select(i => KeyValuePair.Create($"{i}", (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject(names.Select(n => KeyValuePair.Create(n, Cell(i, n))))))),
            "lists" => new System.Text.Json.Nodes.JsonObject(names.Select(n => KeyValuePair.Create(n, (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonArray(rows.Select(i => Cell(i, n)).ToArray())))),
            _ => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonArray([new System.Text.Json.Nodes.JsonArray(names.Select(n => (System.Text.Json.Nodes.JsonNode?)n).ToArray()),
                .. rows.Select(i => (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonArray(names.Select(n => Cell(i, n)).ToArray()))]),
        };
        var file = Path.Combine(TestData.TempDirectory(), $"penguins-{shape}.json");
        File.WriteAllText(file, document.ToJsonString());

        var expected = DataSource.Open(TestData.Vega("penguins.json")).Read();
        var table = DataSource.Open(file).Read();
        Assert.Equal(expected.ColumnNames, table.ColumnNames);
        Assert.Equal(expected.RowCount, table.RowCount);
        static object?[] Values(Column column) => column is NumericColumn n ? n.Values.Select(v => (object?)v).ToArray() : ((StringColumn)column).Values.Cast<object?>().ToArray();
        foreach (var name in names) Assert.Equal(Values(expected[name]), Values(table[name]));
        Assert.Contains(said, Assert.Single(table.Notes).Problem);
    }

    [Fact]
    public void Row_labels_other_than_pandas_default_are_a_first_column_and_odd_objects_are_refused_naming_what()
    {
        var file = Path.Combine(TestData.TempDirectory(), "labelled.json");
        File.WriteAllText(file, """{"beak": {"bird-a": 39.1, "bird-b": 40.3, "bird-c": null}, "sex": {"bird-a": "MALE", "bird-b": "FEMALE", "bird-c": null}}""");
        var table = DataSource.Open(file).Read();
        Assert.Equal(["index", "beak", "sex"], table.ColumnNames);
        Assert.Equal(new string?[] { "bird-a", "bird-b", "bird-c" }, ((StringColumn)table["index"]).Values);
        Assert.True(double.IsNaN(((NumericColumn)table["beak"]).Values[2]));

        // pandas' split layout with a row of the wrong length: quarantined by its record number.
        File.WriteAllText(file, """{"columns": ["a", "b"], "index": ["x", "y", "z"], "data": [[1, "p"], [2], [3, "q"]]}""");
        table = DataSource.Open(file).Read();
        Assert.Equal(["index", "a", "b"], table.ColumnNames);
        Assert.Equal([1.0, 3.0], ((NumericColumn)table["a"]).Values);
        Assert.Equal((2, "expected 2 values as the columns name, found 1"), (Assert.Single(table.Quarantined).Line, table.Quarantined[0].Reason));

        // GeoJSON: its features are the records, each feature's properties columns of their own.
        var quakes = DataSource.Open(TestData.Vega("earthquakes.json")).Read();
        Assert.Equal(1707, quakes.RowCount);
        Assert.Contains("properties.mag", quakes.ColumnNames);
        Assert.Contains("records under the key 'features'", Assert.Single(quakes.Notes).Problem);
        var graph = Assert.Throws<DataException>(() => DataSource.Open(TestData.Vega("miserables.json")).Read()).Message;
        Assert.Contains("the object holds 2 arrays of records ('nodes', 'links'), and which is the table is not known", graph);
        // A headerless array of rows: column_1, column_2, …; a first row of numbers written as text is data too, as in CSV.
        File.WriteAllText(file, "[[1, 2.5], [2, 3.5], [3, null]]");
        table = DataSource.Open(file).Read();
        Assert.Equal(["column_1", "column_2"], table.ColumnNames);
        Assert.Equal(3, table.RowCount);
        File.WriteAllText(file, """[["1", "2.5"], ["2", "3.5"]]""");
        Assert.Equal(["column_1", "column_2"], DataSource.Open(file).Read().ColumnNames);
        // Rows of text only under a row of names (as spreadsheet APIs return a range): named by it.
        File.WriteAllText(file, """[["name", "city"], ["Ada", "London"], ["Linus", "Helsinki"]]""");
        table = DataSource.Open(file).Read();
        Assert.Equal(["name", "city"], table.ColumnNames);
        Assert.Equal(2, table.RowCount);

        // Records keyed by an id, with fields left out here and there: a row per key, the keys a first column.
        File.WriteAllText(file, """{"-Ma1": {"beak": 39.1, "sex": "MALE"}, "-Mb2": {"beak": 40.3}, "-Mc3": {"sex": "FEMALE", "beak": 36.7}}""");
        table = DataSource.Open(file).Read();
        Assert.Equal(["index", "beak", "sex"], table.ColumnNames);
        Assert.Equal([39.1, 40.3, 36.7], ((NumericColumn)table["beak"]).Values);
        Assert.Equal(new string?[] { "MALE", null, "FEMALE" }, ((StringColumn)table["sex"]).Values);
        Assert.Contains("a row per key", Assert.Single(table.Notes).Problem);
        // Records keyed by an id with as many fields as there are records or more: a record's fields mix numbers and
        // text, a column's values do not, so they read as rows, as they are.
        File.WriteAllText(file, """{"alice": {"age": 31, "city": "Oslo", "height": 1.71}, "bob": {"age": 45, "city": "Lima", "height": 1.80}}""");
        table = DataSource.Open(file).Read();
        Assert.Equal(["index", "age", "city", "height"], table.ColumnNames);
        Assert.Equal([31.0, 45.0], ((NumericColumn)table["age"]).Values);
        // With a byte-order mark before it, as Windows tools write one.
        File.WriteAllBytes(file, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes("""{"a": [1, 2], "b": ["x", "y"]}""")]);
        Assert.Equal(["a", "b"], DataSource.Open(file).Read().ColumnNames);
    }

    [Fact]
    public void NaN_and_Infinity_as_Pythons_json_writes_them_are_read_as_missing_and_said()
    {
        var file = Path.Combine(TestData.TempDirectory(), "python.json");
        File.WriteAllText(file, """[{"a": 1.5, "b": "NaN in text stays"}, {"a": NaN, "b": "x"}, {"a": -Infinity, "b": "y"}, {"a": Infinity, "b": null}]""");
        var table = DataSource.Open(file).Read();
        Assert.Equal([1.5, double.NaN, double.NaN, double.NaN], ((NumericColumn)table["a"]).Values);
        Assert.Equal("NaN in text stays", ((StringColumn)table["b"]).Values[0]);
        Assert.StartsWith("3 value(s) written NaN, Infinity or -Infinity", Assert.Single(table.Notes).Problem);

        var lines = Path.Combine(TestData.TempDirectory(), "python.jsonl");
        File.WriteAllText(lines, "{\"a\": 1, \"b\": \"p\"}\n{\"a\": NaN, \"b\": \"q\"}\n{\"a\": 3, \"b\": }\n");
        table = DataSource.Open(lines).Read();
        Assert.Equal([1.0, double.NaN], ((NumericColumn)table["a"]).Values);
        Assert.Equal(3, Assert.Single(table.Quarantined).Line);
        Assert.StartsWith("1 value(s) written NaN", Assert.Single(table.Notes).Problem);
        // Streamed two lines a batch, the count runs on, and the batches joined say the file's total once.
        var many = Path.Combine(TestData.TempDirectory(), "python-many.jsonl");
        File.WriteAllLines(many, Enumerable.Range(0, 9).Select(i => i % 2 == 0 ? $"{{\"a\": NaN, \"b\": \"r{i}\"}}" : $"{{\"a\": {i}, \"b\": \"r{i}\"}}"));
        var batches = DataSource.Open(many).ReadBatches(2).ToList();
        Assert.Equal(5, batches.Count);
        Assert.StartsWith("5 value(s) written NaN", Assert.Single(Table.Concat(batches).Notes).Problem);
        Assert.Contains(Lathe.Data.Profiling.DataProfiler.Profile(DataSource.Open(many), batchRows: 2).Warnings, w => w.Problem.StartsWith("5 value(s) written NaN"));
        // JSON Lines saved as .json, a NaN on its first line: still read as lines.
        var linesAsJson = Path.Combine(TestData.TempDirectory(), "python-lines.json");
        File.WriteAllText(linesAsJson, "{\"a\": NaN, \"b\": \"p\"}\n{\"a\": 2, \"b\": \"q\"}\n");
        Assert.Equal([double.NaN, 2.0], ((NumericColumn)DataSource.Open(linesAsJson).Read()["a"]).Values);
        // Not JSON for another reason: still refused, naming the line of that fault, not of the NaN.
        File.WriteAllText(file, "[{\"a\": NaN},\n {\"a\": 2,,}]");
        Assert.Contains("not valid JSON at line 2", Assert.Throws<DataException>(() => DataSource.Open(file).Read()).Message);
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
