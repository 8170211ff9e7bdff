using Lathe.Data;
using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Sources;

public class ColumnarSourceTests
{
    [Fact]
    public void Reads_three_million_flights_from_parquet()
    {
        var table = DataSource.Open(TestData.Vega("flights-3m.parquet")).Read();
        Assert.Equal(["date", "delay", "distance", "origin", "destination"], table.ColumnNames);
        Assert.Equal(3_000_000, table.RowCount);
        Assert.IsType<NumericColumn>(table["delay"]);
        var origin = (StringColumn)table["origin"];
        Assert.All(origin.Values.Take(1000), o => Assert.Matches("^[A-Z0-9]{3}$", o));
        Assert.Equal(ColumnType.DateTime, SchemaInference.InferType(new StringColumn("date", ((StringColumn)table["date"]).Values[..1000])));
        Assert.Equal(ColumnType.Categorical, SchemaInference.InferType(new StringColumn("origin", origin.Values[..5000])));
    }

    [Fact]
    public void Reads_two_hundred_thousand_flights_from_arrow_the_same_as_from_json()
    {
        var arrow = DataSource.Open(TestData.Vega("flights-200k.arrow")).Read();
        var json = DataSource.Open(TestData.Vega("flights-200k.json")).Read();
        Assert.Equal(json.ColumnNames, arrow.ColumnNames);
        Assert.Equal(200_000, arrow.RowCount);
        foreach (var name in new[] { "delay", "distance" })
            Assert.Equal(((NumericColumn)json[name]).Values, ((NumericColumn)arrow[name]).Values);
        // time is float32 in the Arrow file and a decimal in JSON: equal to float precision.
        var jsonTime = ((NumericColumn)json["time"]).Values;
        var arrowTime = ((NumericColumn)arrow["time"]).Values;
        for (var i = 0; i < 200_000; i += 97) Assert.Equal((float)jsonTime[i], (float)arrowTime[i]);
    }

    [Fact]
    public void A_file_that_is_not_parquet_or_arrow_is_a_clear_error()
    {
        var file = Path.Combine(TestData.TempDirectory(), "fake.parquet");
        File.WriteAllText(file, "date,delay\n2001-01-01,3\n");
        Assert.Contains("not a readable Parquet file", Assert.Throws<DataException>(() => DataSource.Open(file).Read()).Message);
        var arrow = Path.ChangeExtension(file, ".arrow");
        File.WriteAllText(arrow, "not arrow at all");
        Assert.Contains("not a readable Arrow IPC file", Assert.Throws<DataException>(() => DataSource.Open(arrow).Read()).Message);
    }

    [Fact]
    public void Parquet_batches_are_row_groups_cut_to_size_and_join_into_the_whole_read()
    {
        var source = DataSource.Open(TestData.Vega("flights-3m.parquet"));
        var batches = source.ReadBatches(100_000).ToList();
        Assert.InRange(batches.Count, 30, 41);
        Assert.Equal("record 3000000", batches[^1].RowName(batches[^1].RowCount - 1));
        BatchAssert.SameAsRead(source.Read(), batches, 100_000);
    }

    [Fact]
    public void Arrow_batches_gather_record_batches_and_join_into_the_whole_read()
    {
        var source = DataSource.Open(TestData.Vega("flights-200k.arrow"));
        var read = source.Read();
        var batches = source.ReadBatches(30_000).ToList();
        Assert.Equal(read.RowCount, batches.Sum(b => b.RowCount));
        Assert.Equal("record 200000", batches[^1].RowName(batches[^1].RowCount - 1));
        BatchAssert.SameAsRead(read, batches, batches.Max(b => b.RowCount));
    }
}
