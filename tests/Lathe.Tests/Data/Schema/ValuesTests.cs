using System.Globalization;
using System.Text.Json.Nodes;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Schema;

public class ValuesTests
{
    [Theory]
    [InlineData("1,234", 1234)]
    [InlineData("1,234,567.5", 1234567.5)]
    [InlineData("$5", 5)]
    [InlineData("$ 1,200", 1200)]
    [InlineData("12 €", 12)]
    [InlineData("12%", 0.12)]
    [InlineData("-3.5%", -0.035)]
    [InlineData("(42)", -42)]
    [InlineData("-$7", -7)]
    [InlineData("2.5e3", 2500)]
    public void Spreadsheet_numbers_are_repaired(string text, double expected)
    {
        Assert.True(Values.TryNumber(text, out var value));
        Assert.Equal(expected, value, 12);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData(" NA ", true)]
    [InlineData("n/a", true)]
    [InlineData("NaN", true)]
    [InlineData("NULL", true)]
    [InlineData("?", true)]
    [InlineData("NaT", true)]          // pandas' missing date
    [InlineData("<NA>", true)]         // pandas' NA as text
    [InlineData("#N/A", true)]         // Excel's
    [InlineData("#DIV/0!", true)]      // Excel's error values, which the Excel reader reads as empty cells
    [InlineData("#VALUE!", true)]
    [InlineData("#REF!", true)]
    [InlineData("-nan", true)]         // C runtimes' printed NaNs
    [InlineData("-1.#IND", true)]
    [InlineData("1.#QNAN", true)]
    [InlineData("None", false)]        // often a category: no damage, no symptoms
    [InlineData("nat", false)]
    [InlineData("#1", false)]
    [InlineData("-", false)]
    [InlineData("1.5", false)]
    [InlineData("#NAME", false)]
    public void What_marks_a_missing_value(string text, bool missing) => Assert.Equal(missing, Values.IsMissing(text));

    [Fact]
    public void A_date_column_with_pandas_NaT_and_a_number_column_with_Excel_errors_keep_their_types()
    {
        var path = Path.Combine(TestData.TempDirectory(), "exported.csv");
        var weather = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));
        // seattle-weather as pandas and Excel write a few missing values: NaT for a date, #N/A and #DIV/0! for numbers.
        var lines = weather.Select((line, i) => i switch
        {
            5 => "NaT" + line[line.IndexOf(',')..],
            9 => string.Join(',', line.Split(',') is var f ? [f[0], "#N/A", .. f[2..]] : []),
            12 => string.Join(',', line.Split(',') is var f ? [f[0], f[1], "#DIV/0!", .. f[3..]] : []),
            _ => line,
        });
        File.WriteAllLines(path, lines);
        var table = DataSource.Open(path).Read();
        var schema = SchemaInference.Infer(table, "weather");
        Assert.Equal(ColumnType.DateTime, schema.Find("date")!.Type);
        Assert.Equal(ColumnType.Numeric, schema.Find("precipitation")!.Type);
        Assert.Equal(ColumnType.Numeric, schema.Find("temp_max")!.Type);
        // Missing, not stray values for the quarantine: the reader makes the columns numbers.
        Assert.Equal(1, Enumerable.Range(0, Assert.IsType<NumericColumn>(table["precipitation"]).Count).Count(table["precipitation"].IsMissing));
        Assert.Equal(1, Enumerable.Range(0, Assert.IsType<NumericColumn>(table["temp_max"]).Count).Count(table["temp_max"].IsMissing));
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("12,34,567")]
    [InlineData("$")]
    [InlineData("5 apples")]
    [InlineData("1.2.3")]
    public void Things_that_are_not_numbers_stay_text(string text) => Assert.False(Values.TryNumber(text, out _));

    [Fact]
    public void Movie_grosses_written_with_dollars_and_commas_read_as_the_same_numbers()
    {
        var movies = JsonNode.Parse(File.ReadAllText(TestData.Vega("movies.json")))!.AsArray();
        var file = Path.Combine(TestData.TempDirectory(), "movies.csv");
        var lines = new List<string> { "Title,US Gross,Rating" };
        var expected = new List<double>();
        foreach (var movie in movies.Take(500))
        {
            var gross = movie!["US Gross"]?.GetValue<double>();
            var title = movie["Title"]!.ToString().Replace("\"", "\"\"");
            lines.Add($"\"{title}\",{(gross is { } g ? "\"$" + g.ToString("N0", CultureInfo.InvariantCulture) + "\"" : "")},\"{movie["IMDB Rating"]}\"");
            expected.Add(gross ?? double.NaN);
        }
        File.WriteAllLines(file, lines);
        var table = DataSource.Open(file).Read();
        var schema = SchemaInference.Infer(table, "Rating");
        Assert.Equal(ColumnType.Numeric, schema.Find("US Gross")!.Type);
        var typed = TypeCoercion.Apply(table, schema);
        Assert.Equal(expected, ((NumericColumn)typed["US Gross"]).Values);
    }

    [Theory]
    [InlineData("1974Q1", "1974-01-01")]
    [InlineData("1974q4", "1974-10-01")]
    [InlineData("1974-Q2", "1974-04-01")]
    [InlineData("1974 Q3", "1974-07-01")]
    [InlineData("Q3 1974", "1974-07-01")]
    [InlineData("Q4-1974", "1974-10-01")]
    [InlineData("1949-01", "1949-01-01")]
    [InlineData("1949/12", "1949-12-01")]
    [InlineData("Jan 1995", "1995-01-01")]
    [InlineData("September 1995", "1995-09-01")]
    [InlineData("Mar-1995", "1995-03-01")]
    [InlineData("Jan-1-1995", "1995-01-01")]
    [InlineData("Dec-31-1995", "1995-12-31")]
    [InlineData("01-Jan-1995", "1995-01-01")]
    [InlineData("31.12.2024", "2024-12-31")]
    public void Dates_of_statistical_series_are_read(string text, string expected)
    {
        Assert.True(Values.TryDate(text, out var date));
        Assert.Equal(expected, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2019-20")]
    [InlineData("2020-13")]
    [InlineData("1974Q5")]
    [InlineData("1974Q0")]
    [InlineData("Q5 1974")]
    [InlineData("Q11974")]
    [InlineData("74Q1")]
    [InlineData("1974 Q")]
    [InlineData("Mar-15")]
    public void Things_that_are_not_dates_stay_text(string text) => Assert.False(Values.TryDate(text, out _));
}
