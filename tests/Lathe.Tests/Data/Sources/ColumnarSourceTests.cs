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
    public async Task Required_parquet_columns_read_whole_whatever_the_shared_buffers_last_held()
    {
        var cars = DataSource.Open(TestData.Vega("cars.json")).Read();
        var weight = ((NumericColumn)cars["Weight_in_lbs"]).Values;
        var cylinders = ((NumericColumn)cars["Cylinders"]).Values.Select(v => (int)v).ToArray();
        var file = Path.Combine(TestData.TempDirectory(), "cars-required.parquet");
        var fields = new[] { new Parquet.Schema.DataField("weight", typeof(double), isNullable: false), new Parquet.Schema.DataField("cylinders", typeof(int), isNullable: false) };
        await using (var stream = File.Create(file))
        await using (var writer = await Parquet.ParquetWriter.CreateAsync(new Parquet.Schema.ParquetSchema(fields), stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync<double>(fields[0], weight.AsMemory(), null);
            await group.WriteAsync<int>(fields[1], cylinders.AsMemory(), null);
        }
        // Parquet.Net reads a required column into a nullable buffer through pooled definition levels it never sets:
        // what the pool last held (here −1, "null") must not reach the values.
        var pool = System.Buffers.ArrayPool<int>.Shared;
        var held = Enumerable.Range(0, 64).Select(_ => pool.Rent(weight.Length)).ToArray();
        foreach (var buffer in held)
        {
            Array.Fill(buffer, -1);
            pool.Return(buffer);
        }
        var table = DataSource.Open(file).Read();
        Assert.Equal(weight, ((NumericColumn)table["weight"]).Values);
        Assert.Equal(cylinders.Select(c => (double)c), ((NumericColumn)table["cylinders"]).Values);
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
