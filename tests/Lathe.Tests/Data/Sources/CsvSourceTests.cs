using Lathe.Data;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Sources;

public class CsvSourceTests
{
    [Fact]
    public void Reads_a_real_csv_with_header_and_every_row()
    {
        var table = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        Assert.Equal(["date", "precipitation", "temp_max", "temp_min", "wind", "weather"], table.ColumnNames);
        Assert.Equal(1461, table.RowCount);
        Assert.Equal("2012-01-01", ((StringColumn)table["date"]).Values[0]);
        Assert.Equal("drizzle", ((StringColumn)table["weather"]).Values[0]);
        Assert.Equal("line 2", table.RowName(0));
    }

    [Fact]
    public void Reads_a_real_tsv()
    {
        var table = DataSource.Open(TestData.Vega("unemployment.tsv")).Read();
        Assert.Equal(["id", "rate"], table.ColumnNames);
        Assert.True(table.RowCount > 3000);
    }

    [Fact]
    public void Quoted_fields_keep_delimiters_quotes_and_line_breaks()
    {
        var file = Path.Combine(TestData.TempDirectory(), "quoted.csv");
        File.WriteAllText(file, "name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\"\r\nLee,\"two\nlines\"\r\nKim,plain\r\n");
        var table = DataSource.Open(file).Read();
        var note = (StringColumn)table["note"];
        Assert.Equal("Smith, J", ((StringColumn)table["name"]).Values[0]);
        Assert.Equal("said \"hi\"", note.Values[0]);
        Assert.Equal("two\nlines", note.Values[1]);
        Assert.Equal("line 5", table.RowName(2));
    }

    [Fact]
    public void A_row_with_the_wrong_field_count_is_an_error_naming_its_line()
    {
        var file = Path.Combine(TestData.TempDirectory(), "bad.csv");
        File.WriteAllLines(file, ["a,b,c", "1,2,3", "4,5", "6,7,8"]);
        var error = Assert.Throws<DataException>(() => DataSource.Open(file).Read());
        Assert.Contains("bad.csv line 3: expected 3 fields as in the header, found 2", error.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var error = Assert.Throws<DataException>(() => DataSource.Open("/nope/missing.csv"));
        Assert.Contains("'/nope/missing.csv' does not exist", error.Message);
    }
}
