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
    public void A_row_with_the_wrong_field_count_is_quarantined_with_its_line()
    {
        var file = Path.Combine(TestData.TempDirectory(), "bad.csv");
        File.WriteAllLines(file, ["a,b,c", "1,2,3", "4,5", "6,7,8"]);
        var table = DataSource.Open(file).Read();
        Assert.Equal(2, table.RowCount);
        var bad = Assert.Single(table.Quarantined);
        Assert.Equal((3, "expected 3 fields as in the header, found 2", "4,5"), (bad.Line, bad.Reason, bad.Raw));
        Assert.Equal("line 4", table.RowName(1));
    }

    [Fact]
    public void An_unclosed_quote_quarantines_its_line_and_not_the_rest_of_the_file()
    {
        var file = Path.Combine(TestData.TempDirectory(), "quote.csv");
        File.WriteAllLines(file, ["name,n", "ok,1", "\"broken,2", "fine,3", "also \"fine\",4", "\"closed\"x,5", "\"quoted\",7,8"]);
        var table = DataSource.Open(file).Read();
        Assert.Equal(new string?[] { "ok", "fine", "also \"fine\"" }, ((StringColumn)table["name"]).Values);
        Assert.Equal([3, 6, 7], table.Quarantined.Select(q => q.Line));
        Assert.Equal("expected 2 fields as in the header, found 3", table.Quarantined[2].Reason);
        Assert.StartsWith("a quote opened on this line is never closed properly", table.Quarantined[0].Reason);
        Assert.Equal("text after a closing quote", table.Quarantined[1].Reason);
        Assert.Equal("\"broken,2", table.Quarantined[0].Raw);
    }

    [Theory]
    [InlineData(";")]
    [InlineData("|")]
    [InlineData("\t")]
    public void The_delimiter_is_detected(string delimiter)
    {
        var file = Path.Combine(TestData.TempDirectory(), "weather.csv");
        File.WriteAllLines(file, File.ReadAllLines(TestData.Vega("seattle-weather.csv")).Select(l => l.Replace(",", delimiter)));
        var table = DataSource.Open(file).Read();
        Assert.Equal(["date", "precipitation", "temp_max", "temp_min", "wind", "weather"], table.ColumnNames);
        Assert.Equal(1461, table.RowCount);
    }

    [Fact]
    public void A_file_without_a_header_gets_numbered_columns()
    {
        var file = Path.Combine(TestData.TempDirectory(), "noheader.csv");
        File.WriteAllLines(file, File.ReadAllLines(TestData.Vega("seattle-weather.csv")).Skip(1).Select(l => string.Join(",", l.Split(',')[1..5])));
        var table = DataSource.Open(file).Read();
        Assert.Equal(["column_1", "column_2", "column_3", "column_4"], table.ColumnNames);
        Assert.Equal(1461, table.RowCount);
        Assert.Equal("line 1", table.RowName(0));
    }

    [Theory]
    [InlineData("utf-8-bom")]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    [InlineData("latin-1")]
    public void Text_in_every_supported_encoding_reads_the_same(string encoding)
    {
        var lines = new[] { "city,country,population", "Zürich,Schweiz,421878", "São Paulo,Brasil,11451245", "Kraków,Polska,804237", "Montréal,Canada,1762949" };
        var text = string.Join("\r\n", lines) + "\r\n";
        var bytes = encoding switch
        {
            "utf-8-bom" => [.. new System.Text.UTF8Encoding(true).GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(text)],
            "utf-16le" => [.. System.Text.Encoding.Unicode.GetPreamble(), .. System.Text.Encoding.Unicode.GetBytes(text)],
            "utf-16be" => [.. System.Text.Encoding.BigEndianUnicode.GetPreamble(), .. System.Text.Encoding.BigEndianUnicode.GetBytes(text)],
            _ => System.Text.Encoding.Latin1.GetBytes(text.Replace("Kraków", "Krakau")),
        };
        var file = Path.Combine(TestData.TempDirectory(), $"{encoding}.csv");
        File.WriteAllBytes(file, bytes);
        var table = DataSource.Open(file).Read();
        Assert.Empty(table.Quarantined);
        Assert.Equal(["city", "country", "population"], table.ColumnNames);
        Assert.Equal("Zürich", ((StringColumn)table["city"]).Values[0]);
        Assert.Equal("São Paulo", ((StringColumn)table["city"]).Values[1]);
        Assert.Equal("Montréal", ((StringColumn)table["city"]).Values[3]);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var error = Assert.Throws<DataException>(() => DataSource.Open("/nope/missing.csv"));
        Assert.Contains("'/nope/missing.csv' does not exist", error.Message);
    }

    [Fact]
    public void A_large_file_read_in_two_halves_equals_the_same_rows_read_small()
    {
        // Real rows (seattle-weather) repeated past the size at which the reader splits the work, with a code
        // column that looks numeric until late ("007" must survive as written), a quoted field holding a line
        // break, and a malformed line in the second half.
        var weather = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));
        var lines = new List<string> { weather[0] + ",code" };
        var row = 0;
        while (lines.Sum(l => (long)l.Length + 1) < 12 << 20)
            foreach (var line in weather.Skip(1))
                lines.Add($"{line},{(row++ == 150_000 ? "A12" : "007")}");
        var quoted = lines.FindIndex(100, l => l.Contains("drizzle"));
        lines[quoted] = lines[quoted].Replace("drizzle", "\"driz\nzle\"");
        var bad = lines.Count - 1000;
        lines[bad] = "2012-01-01,only,three";
        var file = Path.Combine(TestData.TempDirectory(), "large.csv");
        File.WriteAllText(file, string.Join("\n", lines) + "\n");

        var table = DataSource.Open(file).Read();
        Assert.Equal(lines.Count - 2, table.RowCount);
        var code = (StringColumn)table["code"];
        Assert.Equal("007", code.Values[0]);
        Assert.Equal("A12", code.Values[150_000]);
        Assert.Equal("driz\nzle", ((StringColumn)table["weather"]).Values[quoted - 1]);
        Assert.Equal(double.Parse(weather[6].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture), ((NumericColumn)table["temp_max"]).Values[5]);
        // The bad line, counted in the file's own numbering (the quoted line break adds one), and the rows around it.
        var quarantined = Assert.Single(table.Quarantined);
        Assert.Equal(bad + 2, quarantined.Line);
        Assert.Equal(bad + 1, table.LineOf(bad - 2));
        Assert.Equal(bad + 3, table.LineOf(bad - 1));
    }

    /// <summary>Seattle weather with quoted line breaks, malformed lines and CRLF endings, so that a small buffer cuts
    /// records, quotes and line ends.</summary>
    private static string DamagedWeather()
    {
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv")).ToList();
        for (var i = 7; i < lines.Count; i += 37) lines[i] = lines[i].Replace(",rain", ",\"rain,\r\nthen \"\"fog\"\"\"");
        lines.Insert(100, "2012-13-01,1,2");
        lines.Insert(300, "2013-01-01,\"0\"x,1,2,3,rain");
        lines.Insert(500, "2013-06-01,0,1,2,3,\"sun");
        lines.Insert(501, "");
        return string.Join("\r\n", lines) + "\r\n";
    }

    [Fact]
    public void Batches_through_a_small_buffer_are_the_whole_read_cut_in_order()
    {
        var file = Path.Combine(TestData.TempDirectory(), "weather-damaged.csv");
        File.WriteAllText(file, DamagedWeather());
        var source = new CsvSource(file);
        var read = source.Read();
        Assert.Contains(read.Quarantined, q => q.Reason.StartsWith("expected 6 fields"));
        Assert.Contains(read.Quarantined, q => q.Reason == "text after a closing quote");
        foreach (var (rows, buffer) in new[] { (50, 97), (1000, 4096), (100_000, 1 << 20) })
        {
            var batches = source.ReadBatches(rows, buffer).ToList();
            BatchAssert.SameAsRead(read, batches, rows);
            if (buffer < 1000) Assert.True(batches.Count > read.RowCount / 50, $"{batches.Count} batches");
        }
    }

    [Fact]
    public void Batches_of_a_gzipped_utf16_file_are_its_whole_read()
    {
        var directory = TestData.TempDirectory();
        var utf16 = Path.Combine(directory, "weather-utf16.csv.gz");
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(utf16), System.IO.Compression.CompressionLevel.Fastest))
        {
            var bytes = System.Text.Encoding.Unicode.GetPreamble().Concat(System.Text.Encoding.Unicode.GetBytes(DamagedWeather().Replace("rain", "pluie ☂"))).ToArray();
            gzip.Write(bytes);
        }
        var source = new CsvSource(utf16);
        var read = source.Read();
        Assert.Contains("pluie ☂", ((StringColumn)read["weather"]).Values);
        BatchAssert.SameAsRead(read, source.ReadBatches(200, 333).ToList(), 200);
    }
}
