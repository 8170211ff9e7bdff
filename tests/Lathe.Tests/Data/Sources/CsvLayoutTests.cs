using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Sources;

/// <summary>Files laid out as users bring them, read by what <see cref="CsvLayout"/> leaves at auto or sets: scikit-learn's
/// bundled tables (a line of counts above the data or above the header, columns split by spaces) and small files for
/// each rule alone.</summary>
public class CsvLayoutTests
{
    [Fact]
    public void A_mostly_empty_line_above_the_column_names_is_skipped_and_said()
    {
        // boston_house_prices.csv: "506,13,,,,,,,,,,,," then the names, then 506 rows.
        var table = DataSource.Open(TestData.Sklearn("boston_house_prices.csv")).Read();
        Assert.Equal(["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT", "MEDV"], table.ColumnNames);
        Assert.Equal(506, table.RowCount);
        Assert.Empty(table.Quarantined);
        Assert.All(table.Columns, c => Assert.IsType<NumericColumn>(c));
        Assert.Equal(0.00632, ((NumericColumn)table["CRIM"]).Values[0]);
        Assert.Equal(24, ((NumericColumn)table["MEDV"]).Values[0]);
        Assert.Equal("line 3", table.RowName(0));
        var note = Assert.Single(table.Notes);
        Assert.StartsWith("line 1 ('506,13,,,,,,,,,,,,') skipped as a preamble above the header: most of its fields are empty, and line 2 names every column", note.Problem);
        Assert.Equal("if line 1 is the header, set data.skip_rows: 0", note.Fix);

        // Told there is none, the reader takes line 1 as the header: line 2's names are then words over columns of
        // numbers, as a line of units is, and said so; told also that the header is one line, they are a row of text.
        var asWritten = DataSource.Open(TestData.Sklearn("boston_house_prices.csv"), layout: new CsvLayout { SkipRows = 0 }).Read();
        Assert.Equal(["506", "13", "column_3"], asWritten.ColumnNames.Take(3));
        Assert.Equal(506, asWritten.RowCount);
        Assert.DoesNotContain(asWritten.Notes, n => n.Problem.Contains("preamble"));
        Assert.Contains(asWritten.Notes, n => n.Problem.StartsWith("line 2 ('\"CRIM\",\"ZN\",\"INDUS\",") && n.Problem.EndsWith("as units or labels do: not read as data"));
        var oneLine = DataSource.Open(TestData.Sklearn("boston_house_prices.csv"), layout: new CsvLayout { SkipRows = 0, Header = HeaderRow.True }).Read();
        Assert.Equal(507, oneLine.RowCount);
        Assert.Equal("CRIM", ((StringColumn)oneLine["506"]).Values[0]);
        Assert.DoesNotContain(oneLine.Notes, n => n.Problem.Contains("units"));
    }

    [Theory]
    [InlineData("breast_cancer.csv", "569,30,malignant,benign", 569, 31, 4)]
    [InlineData("wine_data.csv", "178,13,class_0,class_1,class_2", 178, 14, 5)]
    public void A_line_of_counts_narrower_than_the_table_is_skipped_and_the_numbers_below_are_data(string file, string counts, int rows, int width, int fields)
    {
        var table = DataSource.Open(TestData.Sklearn(file)).Read();
        Assert.Equal(Enumerable.Range(1, width).Select(i => $"column_{i}"), table.ColumnNames);
        Assert.Equal(rows, table.RowCount);
        Assert.Empty(table.Quarantined);
        Assert.Equal("line 2", table.RowName(0));
        // The last column is the class, coded 0, 1, ….
        var classes = ((NumericColumn)table[$"column_{width}"]).Values.Distinct().Order().ToArray();
        Assert.Equal(Enumerable.Range(0, counts.Split(',').Length - 2).Select(c => (double)c), classes);
        Assert.Equal([
            $"line 1 ('{counts}') skipped as a preamble above the header: it has {fields} fields where the lines below have {width}",
            $"line 2 holds only numbers, so it is read as data and the columns are named column_1 to column_{width}",
        ], table.Notes.Select(n => n.Problem));

        // Streamed in small batches through a small buffer, the same rows and the notes with the first batch.
        var batches = new CsvSource(TestData.Sklearn(file)).ReadBatches(40, 4096).ToList();
        Assert.Equal(table.Notes, batches[0].Notes);
        Assert.All(batches.Skip(1), b => Assert.Empty(b.Notes));
        var joined = Table.Concat(batches);
        Assert.Equal(rows, joined.RowCount);
        for (var c = 1; c <= width; c++)
            Assert.Equal(((NumericColumn)table[$"column_{c}"]).Values, ((NumericColumn)joined[$"column_{c}"]).Values);
        Assert.Equal(Enumerable.Range(0, rows).Select(table.LineOf), Enumerable.Range(0, rows).Select(joined.LineOf));
    }

    [Fact]
    public void A_header_that_names_columns_of_numbers_with_numbers_is_read_as_written_and_said()
    {
        // iris.csv: "150,4,setosa,versicolor,virginica" is a count of rows and features, then the class names; the
        // reader cannot tell it from a header, so it reads it as one and says what to set.
        var iris = TestData.Sklearn("iris.csv");
        var table = DataSource.Open(iris).Read();
        Assert.Equal(["150", "4", "setosa", "versicolor", "virginica"], table.ColumnNames);
        var note = Assert.Single(table.Notes);
        Assert.Equal("the header (line 1) names 2 columns of numbers with numbers ('150', '4'), as a data row or a line of counts would", note.Problem);
        Assert.Equal("if line 1 is data, set data.header: false; if it is a preamble, also data.skip_rows: 1", note.Fix);

        var told = DataSource.Open(iris, layout: new CsvLayout { SkipRows = 1, Header = HeaderRow.False }).Read();
        Assert.Equal(["column_1", "column_2", "column_3", "column_4", "column_5"], told.ColumnNames);
        Assert.Equal(150, told.RowCount);
        Assert.Empty(told.Notes);
        Assert.Equal([5.1, 3.5, 1.4, 0.2, 0], told.Columns.Select(c => ((NumericColumn)c).Values[0]));
        Assert.Equal([50, 50, 50], ((NumericColumn)told["column_5"]).Values.GroupBy(v => v).Select(g => g.Count()));
    }

    [Fact]
    public void Columns_split_by_spaces_are_found_and_read()
    {
        // linnerud_exercise.csv: "Chins Situps Jumps", then "5 162 60", …
        var table = DataSource.Open(TestData.Sklearn("linnerud_exercise.csv")).Read();
        Assert.Equal(["Chins", "Situps", "Jumps"], table.ColumnNames);
        Assert.Equal(20, table.RowCount);
        Assert.Equal([5, 162, 60], table.Columns.Select(c => ((NumericColumn)c).Values[0]));

        // diabetes_data_raw.csv.gz: ten numbers a line, split by single spaces, no header.
        var diabetes = DataSource.Open(TestData.Sklearn("diabetes_data_raw.csv.gz")).Read();
        Assert.Equal(442, diabetes.RowCount);
        Assert.Equal(10, diabetes.Columns.Count);
        Assert.Equal([59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87], diabetes.Columns.Select(c => ((NumericColumn)c).Values[0]));
    }

    [Fact]
    public void Runs_of_white_space_split_fields_and_quotes_still_hold_them()
    {
        var file = Path.Combine(TestData.TempDirectory(), "spaced.txt");
        File.WriteAllText(file, "  name \t  score   city\n\"Ann Lee\"  3.5 \"New York\"\nBob\t\t4   Oslo   \n   \nCy 5\n\"Di\"x 6 Rome\nEd 7 Bern\n");
        var table = DataSource.Open(file, layout: new CsvLayout { Delimiter = CsvLayout.Whitespace }).Read();
        Assert.Equal(["name", "score", "city"], table.ColumnNames);
        Assert.Equal(new string?[] { "Ann Lee", "Bob", "Ed" }, ((StringColumn)table["name"]).Values);
        Assert.Equal([3.5, 4, 7], ((NumericColumn)table["score"]).Values);
        Assert.Equal(new string?[] { "New York", "Oslo", "Bern" }, ((StringColumn)table["city"]).Values);
        Assert.Equal([2, 3, 7], Enumerable.Range(0, 3).Select(table.LineOf));
        // The line of blanks is skipped; a short line and text after a closing quote are set aside, each with its line.
        Assert.Equal([(5, "expected 3 fields as in the header, found 2"), (6, "text after a closing quote")], table.Quarantined.Select(q => (q.Line, q.Reason)));

        // Found without being told, where every line splits alike, tabs and spaces mixed.
        var mixed = Path.Combine(TestData.TempDirectory(), "mixed.txt");
        File.WriteAllText(mixed, "x\ty z\n1 2\t3\n4  5 6\n7 8 9\n");
        var found = DataSource.Open(mixed).Read();
        Assert.Equal(["x", "y", "z"], found.ColumnNames);
        Assert.Equal([1, 4, 7], ((NumericColumn)found["x"]).Values);
        Assert.Equal([3, 6, 9], ((NumericColumn)found["z"]).Values);
    }

    [Fact]
    public void A_title_and_blank_lines_above_the_header_are_skipped_and_a_semicolon_file_is_still_found()
    {
        var file = Path.Combine(TestData.TempDirectory(), "report.csv");
        File.WriteAllLines(file, ["Quarterly sales, 2024", "", "region;q1;q2;q3", "north;1,5;2;3", "south;4;5,25;6", "east;7;8;9,75"]);
        var table = DataSource.Open(file).Read();
        Assert.Equal(["region", "q1", "q2", "q3"], table.ColumnNames);
        Assert.Equal(3, table.RowCount);
        Assert.Equal("line 4", table.RowName(0));
        Assert.Equal("lines 1–2 ('Quarterly sales, 2024') skipped as a preamble above the header: it has 1 field where the lines below have 4", table.Notes[0].Problem);
        // Its numbers have decimal commas, and are read as the numbers they are.
        Assert.StartsWith("numbers are written with a decimal comma ('1,5')", table.Notes[1].Problem);
        Assert.Equal([1.5, 4, 7], ((NumericColumn)table["q1"]).Values);
        Assert.Equal([3, 6, 9.75], ((NumericColumn)table["q3"]).Values);

        // Told where the header is, the reader says nothing; told wrong, the lines it then reads are set aside.
        Assert.DoesNotContain(DataSource.Open(file, layout: new CsvLayout { SkipRows = 2 }).Read().Notes, n => n.Problem.Contains("preamble"));
        Assert.Equal(["region", "q1", "q2", "q3"], DataSource.Open(file, layout: new CsvLayout { SkipRows = 2, Delimiter = ";" }).Read().ColumnNames);
        var none = DataSource.Open(file, layout: new CsvLayout { SkipRows = 0, Delimiter = ";" }).Read();
        Assert.Equal(["Quarterly sales, 2024"], none.ColumnNames);
        Assert.Equal(0, none.RowCount);
    }

    [Fact]
    public void A_header_of_numbers_can_be_declared_and_data_without_one()
    {
        var file = Path.Combine(TestData.TempDirectory(), "years.csv");
        File.WriteAllLines(file, ["1990,1991,1992", "1,2,3", "4,5,6"]);
        Assert.Equal(3, DataSource.Open(file).Read().RowCount);
        var named = DataSource.Open(file, layout: new CsvLayout { Header = HeaderRow.True }).Read();
        Assert.Equal(["1990", "1991", "1992"], named.ColumnNames);
        Assert.Equal(2, named.RowCount);
        Assert.Empty(named.Notes);

        var words = Path.Combine(TestData.TempDirectory(), "words.csv");
        File.WriteAllLines(words, ["red,big", "blue,small"]);
        var data = DataSource.Open(words, layout: new CsvLayout { Header = HeaderRow.False }).Read();
        Assert.Equal(["column_1", "column_2"], data.ColumnNames);
        Assert.Equal(new string?[] { "red", "blue" }, ((StringColumn)data["column_1"]).Values);
    }

    [Fact]
    public void Files_of_one_layout_read_as_before()
    {
        // Nothing here is a preamble: a header over its data, including a file whose first data row is short.
        foreach (var name in new[] { "seattle-weather.csv", "airports.csv", "stocks.csv", "unemployment.tsv", "github.csv", "disasters.csv" })
            Assert.Empty(DataSource.Open(TestData.Vega(name)).Read().Notes);
        var file = Path.Combine(TestData.TempDirectory(), "short.csv");
        File.WriteAllLines(file, ["a,b,c,d", "1,2", "3,4,5,6", "7,8,9,10"]);
        var table = DataSource.Open(file).Read();
        Assert.Equal(["a", "b", "c", "d"], table.ColumnNames);
        Assert.Equal(2, table.RowCount);
    }

    [Fact]
    public void A_european_export_of_a_real_table_reads_and_prepares_as_the_original()
    {
        // seattle-weather.csv written as a German spreadsheet writes it: semicolons, decimal commas, points between
        // thousands (precipitation is in tenths of a millimetre here so that some values pass 1,000), negative temperatures.
        var original = TestData.Vega("seattle-weather.csv");
        var lines = File.ReadAllLines(original);
        string German(string field, int column)
        {
            if (column == 0 && field.Length == 10) return $"{field[8..10]}.{field[5..7]}.{field[..4]}";
            if (!double.TryParse(field, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)) return field;
            if (column == 1) value = Math.Round(value * 100, 2);
            // The invariant culture's "1,234.5" with its marks swapped ("1.234,5"): this process has no cultures to ask.
            return value.ToString("#,##0.##", System.Globalization.CultureInfo.InvariantCulture).Replace(',', '\u0001').Replace('.', ',').Replace('\u0001', '.');
        }
        var scaled = Path.Combine(TestData.TempDirectory(), "seattle-scaled.csv");
        File.WriteAllLines(scaled, lines.Select((line, i) => i == 0 ? line : string.Join(",", line.Split(',').Select((f, c) => c == 1 && double.TryParse(f, System.Globalization.CultureInfo.InvariantCulture, out var v) ? Math.Round(v * 100, 2).ToString("R", System.Globalization.CultureInfo.InvariantCulture) : f))));
        var german = Path.Combine(TestData.TempDirectory(), "seattle-de.csv");
        File.WriteAllLines(german, lines.Select((line, i) => i == 0 ? line.Replace(',', ';') : string.Join(";", line.Split(',').Select(German))));
        Assert.Contains("03.01.2012;80;11,7;7,2;2,3;rain", File.ReadAllText(german));
        Assert.Contains(";1.", File.ReadAllText(german));

        var expected = DataSource.Open(scaled).Read();
        var read = DataSource.Open(german).Read();
        Assert.Equal(expected.ColumnNames, read.ColumnNames);
        foreach (var name in new[] { "precipitation", "temp_max", "temp_min", "wind" })
            Assert.Equal(((NumericColumn)expected[name]).Values, ((NumericColumn)read[name]).Values);
        Assert.Equal(Dates(expected), Dates(read));
        var note = Assert.Single(read.Notes);
        Assert.StartsWith("numbers are written with a decimal comma (", note.Problem);
        Assert.Equal("if they do not, set data.decimal: point", note.Fix);

        // Told otherwise, the same file's decimals are not numbers; told so, the note is not needed.
        Assert.IsType<StringColumn>(DataSource.Open(german, layout: new CsvLayout { Decimal = DecimalMark.Point }).Read()["temp_max"]);
        Assert.Empty(DataSource.Open(german, layout: new CsvLayout { Decimal = DecimalMark.Comma }).Read().Notes);

        // Prepared for training, both files give the model the same numbers, bit for bit.
        PipelineConfig Config(string path) => new()
        {
            Target = "weather",
            Seed = 7,
            Data = new DataConfig { Path = path },
        };
        var fromOriginal = Lathe.Data.Pipeline.Preparation.Run(Config(scaled), TestData.TempDirectory());
        var fromGerman = Lathe.Data.Pipeline.Preparation.Run(Config(german), TestData.TempDirectory());
        Assert.Equal(fromOriginal.TrainInput.ColumnNames, fromGerman.TrainInput.ColumnNames);
        foreach (var column in fromOriginal.TrainInput.Columns)
            Assert.Equal(((NumericColumn)column).Values, ((NumericColumn)fromGerman.TrainInput[column.Name]).Values);

        // A column that is not all numbers keeps its decimal-comma values as the numbers they are.
        var mixed = Path.Combine(TestData.TempDirectory(), "mixed-de.csv");
        File.WriteAllLines(mixed, ["name;size", "a;1,5", "b;\"2.500,25\"", "c;n/a cm", "d;-0,75"]);
        Assert.Equal(new string?[] { "1.5", "2500.25", "n/a cm", "-0.75" }, ((StringColumn)DataSource.Open(mixed).Read()["size"]).Values);
    }

    [Fact]
    public void A_real_table_written_by_r_with_row_names_or_by_excel_with_its_separator_line_reads_as_the_original()
    {
        var original = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));

        // R's write.csv: every column named but the row names, which open each row, quoted, as text is.
        static string Quoted(string field) => double.TryParse(field, System.Globalization.CultureInfo.InvariantCulture, out _) ? field : $"\"{field}\"";
        var r = Path.Combine(TestData.TempDirectory(), "seattle-r.csv");
        File.WriteAllLines(r, lines.Select((line, i) => i == 0
            ? string.Join(",", line.Split(',').Select(n => $"\"{n}\""))
            : $"\"{i}\"," + string.Join(",", line.Split(',').Select(Quoted))));
        var fromR = DataSource.Open(r).Read();
        Assert.Equal([CsvSource.RowNames, .. original.ColumnNames], fromR.ColumnNames);
        Assert.Equal(Enumerable.Range(1, original.RowCount).Select(i => (double)i), ((NumericColumn)fromR[CsvSource.RowNames]).Values);
        AssertSameColumns(original, fromR);
        Assert.StartsWith("the header (line 1) names one column fewer than its rows have, as R writes a table with row names", Assert.Single(fromR.Notes).Problem);
        // lathe init leaves the row names out of the features.
        var (config, _, _) = Lathe.Config.InitialConfig.For(r, "weather", TestData.TempDirectory());
        Assert.Equal([CsvSource.RowNames], config.Data.Exclude);

        // Excel's "sep=;" line above a semicolon file.
        var excel = Path.Combine(TestData.TempDirectory(), "seattle-excel.csv");
        File.WriteAllLines(excel, ["sep=;", .. lines.Select(line => line.Replace(',', ';'))]);
        var fromExcel = DataSource.Open(excel).Read();
        Assert.Equal(original.ColumnNames, fromExcel.ColumnNames);
        AssertSameColumns(original, fromExcel);
        Assert.Equal("line 3", fromExcel.RowName(0));
        Assert.Equal("line 1 ('sep=;') names the delimiter, as Excel writes it, and is not read as data", Assert.Single(fromExcel.Notes).Problem);
        var streamed = Table.Concat(new CsvSource(excel).ReadBatches(500, 8192).ToList());
        AssertSameColumns(original, streamed);

        static void AssertSameColumns(Table expected, Table read)
        {
            Assert.Equal(expected.RowCount, read.RowCount);
            foreach (var column in expected.Columns)
                if (column is NumericColumn numbers) Assert.Equal(numbers.Values, ((NumericColumn)read[column.Name]).Values);
                else Assert.Equal(((StringColumn)column).Values, ((StringColumn)read[column.Name]).Values);
        }
    }

    [Fact]
    public void Dates_written_day_first_with_slashes_read_as_the_dates_they_are_and_month_first_as_before()
    {
        // seattle-weather.csv as a British export writes it (31/12/2012), and as an American one (12/31/2012).
        var original = TestData.Vega("seattle-weather.csv");
        var lines = File.ReadAllLines(original);
        var dir = TestData.TempDirectory();
        string Written(bool dayFirst) => Path.Combine(dir, dayFirst ? "seattle-uk.csv" : "seattle-us.csv");
        foreach (var dayFirst in new[] { true, false })
            File.WriteAllLines(Written(dayFirst), lines.Select((line, i) => i == 0 ? line : line.Split(',') is var f
                ? string.Join(",", [dayFirst ? $"{f[0][8..10]}/{f[0][5..7]}/{f[0][..4]}" : $"{f[0][5..7]}/{f[0][8..10]}/{f[0][..4]}", .. f[1..]]) : line));
        var expected = DataSource.Open(original).Read();

        var uk = DataSource.Open(Written(true)).Read();
        Assert.Equal(((StringColumn)expected["date"]).Values, ((StringColumn)uk["date"]).Values);
        Assert.Equal("dates are written day first ('13/01/2012': a first part past 12), so they are read as such", Assert.Single(uk.Notes).Problem);
        var us = DataSource.Open(Written(false)).Read();
        Assert.Empty(us.Notes);
        Assert.Equal(Dates(expected), Dates(us));

        // Prepared for training, the British file gives the model the same numbers as the original, bit for bit.
        PipelineConfig Config(string path) => new() { Target = "weather", Seed = 3, Data = new DataConfig { Path = path } };
        var fromOriginal = Lathe.Data.Pipeline.Preparation.Run(Config(original), TestData.TempDirectory());
        var fromUk = Lathe.Data.Pipeline.Preparation.Run(Config(Written(true)), TestData.TempDirectory());
        Assert.Equal(fromOriginal.TrainInput.ColumnNames, fromUk.TrainInput.ColumnNames);
        Assert.Contains(fromOriginal.TrainInput.ColumnNames, n => n.StartsWith("date."));
        foreach (var column in fromOriginal.TrainInput.Columns)
            Assert.Equal(((NumericColumn)column).Values, ((NumericColumn)fromUk.TrainInput[column.Name]).Values);

        // Told otherwise, a British date past the 12th is no date; a month-first file told day first is refused nothing
        // but keeps its impossible dates as written.
        var told = DataSource.Open(Written(true), layout: new CsvLayout { Dates = DateOrder.MonthFirst }).Read();
        Assert.Equal("13/01/2012", ((StringColumn)told["date"]).Values[12]);
        Assert.Empty(told.Notes);
        var forced = DataSource.Open(Written(false), layout: new CsvLayout { Dates = DateOrder.DayFirst }).Read();
        Assert.Equal("2012-01-01", ((StringColumn)forced["date"]).Values[0]);
        Assert.Equal("01/13/2012", ((StringColumn)forced["date"]).Values[12]);
    }

    [Fact]
    public void Hourly_dates_written_day_first_are_found_past_the_first_days()
    {
        // seattle-weather-hourly-normals.csv (8,760 hourly rows from 2010-01-01) written "13/01/2010 01:00": 24 rows a
        // day, so no date past the 12th until row 288, far below the 64 records sampled for the layout.
        var original = TestData.Vega("seattle-weather-hourly-normals.csv");
        var path = Path.Combine(TestData.TempDirectory(), "hourly-uk.csv");
        File.WriteAllLines(path, File.ReadAllLines(original).Select((line, i) => i == 0 ? line : line.Split(',') is var f
            ? string.Join(",", [$"{f[0][8..10]}/{f[0][5..7]}/{f[0][..4]} {f[0][11..16]}", .. f[1..]]) : line));
        var table = DataSource.Open(path).Read();
        Assert.Equal("dates are written day first ('13/01/2010 00:00': a first part past 12), so they are read as such", Assert.Single(table.Notes).Problem);
        var expected = DataSource.Open(original).Read();
        Assert.Equal(((StringColumn)expected["date"]).Values.Select(v => v![..16].Replace('T', ' ')), ((StringColumn)table["date"]).Values.Select(v => v![..16]));
        Assert.Equal(Lathe.Data.Schema.ColumnType.DateTime, Lathe.Data.Schema.SchemaInference.InferType(table["date"]));
        // Streamed in batches of 1,000, as lathe predict reads it: the same dates.
        var streamed = Table.Concat(new CsvSource(path).ReadBatches(1000).ToList());
        Assert.Equal(((StringColumn)table["date"]).Values, ((StringColumn)streamed["date"]).Values);
    }

    /// <summary>A column's dates as the rest of Lathe reads them.</summary>
    [Fact]
    public void Lines_of_units_under_the_header_are_not_read_as_data_and_are_said()
    {
        // Sixty days of seattle-weather.csv as an instrument's export writes them: each column's unit under its name,
        // then how each value was taken. Sixty rows: one line of text is more than a column of numbers' strays.
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv")).Take(61).ToArray();
        var dir = TestData.TempDirectory();
        var original = Path.Combine(dir, "sixty.csv");
        File.WriteAllLines(original, lines);
        var units = Path.Combine(dir, "units.csv");
        File.WriteAllLines(units, [lines[0], ",mm,°C,°C,m/s,", .. lines[1..]]);
        var logged = Path.Combine(dir, "logged.csv");
        File.WriteAllLines(logged, [lines[0], "date,mm,deg C,deg C,m/s,", "Smp,Tot,Max,Min,Avg,", .. lines[1..]]);

        var expected = DataSource.Open(original).Read();
        foreach (var (file, note) in new[]
                 {
                     (units, "line 2 (',mm,°C,°C,m/s,') under the header holds text where every column of numbers below holds numbers, as units or labels do: not read as data"),
                     (logged, "lines 2–3 ('date,mm,deg C,deg C,m/s,', …) under the header hold text where every column of numbers below holds numbers, as units or labels do: not read as data"),
                 })
        {
            var read = DataSource.Open(file).Read();
            Assert.Equal(60, read.RowCount);
            Assert.Equal(expected.ColumnNames, read.ColumnNames);
            foreach (var name in new[] { "precipitation", "temp_max", "temp_min", "wind" })
                Assert.Equal(((NumericColumn)expected[name]).Values, ((NumericColumn)read[name]).Values);
            Assert.Equal(((StringColumn)expected["weather"]).Values, ((StringColumn)read["weather"]).Values);
            Assert.Equal(expected.LineOf(0) + (file == units ? 1 : 2), read.LineOf(0));
            var said = Assert.Single(read.Notes);
            Assert.Equal(note, said.Problem);
            Assert.StartsWith("if ", said.Fix);
            Assert.EndsWith("data, set data.header: true", said.Fix);
        }

        // Told the header is one line, the units are data, and the columns of numbers text.
        var told = DataSource.Open(units, layout: new CsvLayout { Header = HeaderRow.True }).Read();
        Assert.Equal(61, told.RowCount);
        Assert.Empty(told.Notes);
        Assert.Equal("mm", ((StringColumn)told["precipitation"]).Values[0]);

        // A first row with words beside numbers in the columns of numbers is data with strays, read as before.
        var stray = Path.Combine(dir, "stray.csv");
        File.WriteAllLines(stray, [lines[0], "2011-12-31,unknown,unknown,5.0,4.7,drizzle", .. lines[1..]]);
        var strays = DataSource.Open(stray).Read();
        Assert.Equal(61, strays.RowCount);
        Assert.Empty(strays.Notes);
    }

    [Fact]
    public void A_loggers_file_with_its_header_line_units_and_sampling_reads_as_the_table_it_holds()
    {
        // Sixty days of seattle-weather.csv as a Campbell Scientific logger writes a table (TOA5, in a .dat file): a line
        // naming the format, station, logger and program, the column names, their units, how each was sampled, then the
        // records with their timestamp and record number.
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv")).Skip(1).Take(60).ToArray();
        var file = Path.Combine(TestData.TempDirectory(), "CR1000_Daily.dat");
        File.WriteAllText(file, string.Join("\r\n", [
            "\"TOA5\",\"Seattle\",\"CR1000\",\"1234\",\"CR1000.Std.32\",\"CPU:weather.CR1\",\"5678\",\"Daily\"",
            "\"TIMESTAMP\",\"RECORD\",\"precipitation\",\"temp_max\",\"temp_min\",\"wind\",\"weather\"",
            "\"TS\",\"RN\",\"mm\",\"Deg C\",\"Deg C\",\"m/s\",\"\"",
            "\"\",\"\",\"Tot\",\"Max\",\"Min\",\"WVc\",\"Smp\"",
            .. lines.Select((l, i) => l.Split(',') is var f ? $"\"{f[0]} 00:00:00\",{i},{f[1]},{f[2]},{f[3]},{f[4]},\"{f[5]}\"" : l)]) + "\r\n");

        var read = DataSource.Open(file).Read();
        Assert.Equal(["TIMESTAMP", "RECORD", "precipitation", "temp_max", "temp_min", "wind", "weather"], read.ColumnNames);
        Assert.Equal(60, read.RowCount);
        Assert.Empty(read.Quarantined);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (double)i), ((NumericColumn)read["RECORD"]).Values);
        Assert.Equal(lines.Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)), ((NumericColumn)read["temp_max"]).Values);
        Assert.Equal("line 5", read.RowName(0));
        Assert.Equal(2, read.Notes.Count);
        Assert.StartsWith("line 1 ('\"TOA5\",\"Seattle\",", read.Notes[0].Problem);
        Assert.EndsWith("skipped as a preamble above the header: it has 8 fields where the lines below have 7, and line 2 names every column", read.Notes[0].Problem);
        Assert.StartsWith("lines 3–4 ('\"TS\",\"RN\",\"mm\",", read.Notes[1].Problem);

        // A table exactly as wide as the logger's line (eight columns: the weather as a code too) is known by the format
        // the line names first.
        var eight = Path.Combine(TestData.TempDirectory(), "CR1000_Daily8.dat");
        var codes = lines.Select(l => l.Split(',')[5]).Distinct().Order(StringComparer.Ordinal).ToList();
        File.WriteAllText(eight, string.Join("\r\n", [
            "\"TOA5\",\"Seattle\",\"CR1000\",\"1234\",\"CR1000.Std.32\",\"CPU:weather.CR1\",\"5678\",\"Daily\"",
            "\"TIMESTAMP\",\"RECORD\",\"precipitation\",\"temp_max\",\"temp_min\",\"wind\",\"weather\",\"code\"",
            "\"TS\",\"RN\",\"mm\",\"Deg C\",\"Deg C\",\"m/s\",\"\",\"\"",
            "\"\",\"\",\"Tot\",\"Max\",\"Min\",\"WVc\",\"Smp\",\"Smp\"",
            .. lines.Select((l, i) => l.Split(',') is var f ? $"\"{f[0]} 00:00:00\",{i},{f[1]},{f[2]},{f[3]},{f[4]},\"{f[5]}\",{codes.IndexOf(f[5])}" : l)]) + "\r\n");
        var eightRead = DataSource.Open(eight).Read();
        Assert.Equal(["TIMESTAMP", "RECORD", "precipitation", "temp_max", "temp_min", "wind", "weather", "code"], eightRead.ColumnNames);
        Assert.Equal(60, eightRead.RowCount);
        Assert.Empty(eightRead.Quarantined);
        Assert.Equal(lines.Select(l => (double)codes.IndexOf(l.Split(',')[5])), ((NumericColumn)eightRead["code"]).Values);
        Assert.EndsWith("skipped as a preamble above the header: it names the file's format first (TOA5, a Campbell Scientific logger's), and line 2 names every column", eightRead.Notes[0].Problem);
        // And over a table a little wider (ten columns: the weather's code and a battery voltage), which has more fields
        // than the line but not twice as many.
        var ten = Path.Combine(TestData.TempDirectory(), "CR1000_Daily10.dat");
        File.WriteAllLines(ten, File.ReadAllLines(eight).Select((l, i) => i switch
        {
            0 => l,
            1 => l + ",\"batt_volt\",\"panel_temp\"",
            2 => l + ",\"Volts\",\"Deg C\"",
            3 => l + ",\"Min\",\"Smp\"",
            _ => l + string.Create(System.Globalization.CultureInfo.InvariantCulture, $",{12.5 + i % 7 * 0.1:0.0},{10 + i % 5}"),
        }));
        var tenRead = DataSource.Open(ten).Read();
        Assert.Equal(["TIMESTAMP", "RECORD", "precipitation", "temp_max", "temp_min", "wind", "weather", "code", "batt_volt", "panel_temp"], tenRead.ColumnNames);
        Assert.Equal(60, tenRead.RowCount);
        Assert.Empty(tenRead.Quarantined);

        // A header with a field too many above data (a delimiter ending the header line alone) is still the header.
        var trailing = Path.Combine(TestData.TempDirectory(), "trailing.csv");
        File.WriteAllLines(trailing, ["date,precipitation,temp_max,temp_min,wind,weather,", .. File.ReadAllLines(TestData.Vega("seattle-weather.csv")).Skip(1).Take(60)]);
        Assert.Equal("date", DataSource.Open(trailing).Read().ColumnNames.First());
    }

    [Fact]
    public void A_first_line_that_reads_as_one_more_row_is_data_as_the_uci_repository_writes_files()
    {
        // iris.data as the UCI repository has it: no header, "5.1,3.5,1.4,0.2,Iris-setosa" (scikit-learn's iris.csv
        // without its line of counts, the classes by name), in a .data file.
        var classes = new[] { "Iris-setosa", "Iris-versicolor", "Iris-virginica" };
        var rows = File.ReadAllLines(TestData.Sklearn("iris.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        var dir = TestData.TempDirectory();
        var iris = Path.Combine(dir, "iris.data");
        File.WriteAllLines(iris, rows.Select(f => string.Join(",", [.. f[..4], classes[int.Parse(f[4])]])));
        var read = DataSource.Open(iris).Read();
        Assert.Equal(["column_1", "column_2", "column_3", "column_4", "column_5"], read.ColumnNames);
        Assert.Equal(150, read.RowCount);
        Assert.Equal(5.1, ((NumericColumn)read["column_1"]).Values[0]);
        Assert.Equal("Iris-setosa", ((StringColumn)read["column_5"]).Values[0]);
        var note = Assert.Single(read.Notes);
        Assert.Equal("line 1 reads as one more row of the table (numbers over columns of numbers, and 'Iris-setosa' among its column's values below), so it is read as data and the columns are named column_1 to column_5", note.Problem);
        Assert.Equal("if line 1 names the columns, set data.header: true", note.Fix);
        Assert.Equal(149, DataSource.Open(iris, layout: new CsvLayout { Header = HeaderRow.True }).Read().RowCount);

        // seattle-weather.csv without its header: a date over the dates, numbers over the numbers, "drizzle" below.
        var weather = Path.Combine(dir, "weather.data");
        File.WriteAllLines(weather, File.ReadAllLines(TestData.Vega("seattle-weather.csv")).Skip(1));
        var days = DataSource.Open(weather).Read();
        Assert.Equal(1461, days.RowCount);
        Assert.Equal("2012-01-01", ((StringColumn)days["column_1"]).Values[0]);
        Assert.Contains("(numbers and dates over columns of them, and 'drizzle' among its column's values below)", Assert.Single(days.Notes).Problem);

        // With its header, as before: names are no values of their columns.
        Assert.Equal("date", DataSource.Open(TestData.Vega("seattle-weather.csv")).Read().ColumnNames.First());
    }

    [Fact]
    public void Comment_lines_above_the_header_are_skipped_and_a_name_that_is_a_hash_stays()
    {
        // seattle-weather.csv under three comment lines as R users write them, one as wide as the table.
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));
        var dir = TestData.TempDirectory();
        var commented = Path.Combine(dir, "commented.csv");
        // And one at the start of each year within it, a quote in one of them.
        File.WriteAllLines(commented, ["# Seattle weather, daily", "## Source: NOAA, via vega-datasets, 2015", "# Units: mm, degrees C, degrees C, m/s, and a word",
            .. lines.SelectMany(l => l.EndsWith("-01-01") || l.Contains("-01-01,") ? [$"# {l[..4]}, a \"new year", l] : new[] { l })]);
        Assert.Equal(4, File.ReadLines(commented).Count(l => l.StartsWith("# 201")));
        foreach (var streamed in new[] { false, true })
        {
            var source = DataSource.Open(commented);
            var read = streamed ? Table.Concat(source.ReadBatches(100).ToList()) : source.Read();
            var expected = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
            Assert.Equal(expected.ColumnNames, read.ColumnNames);
            Assert.Equal(expected.RowCount, read.RowCount);
            Assert.Empty(read.Quarantined);
            Assert.Equal(((NumericColumn)expected["wind"]).Values, ((NumericColumn)read["wind"]).Values);
            Assert.Equal("lines 1–3 ('# Seattle weather, daily') skipped as a preamble above the header: it starts with '# ' or '##', as a comment (such lines within the table are skipped too)",
                Assert.Single(read.Notes).Problem);
        }

        // With no comment above the header, a comment between the rows ("# 2013, station checked": two fields, not the
        // header's six) is skipped with a note, whole and streamed, not quarantined as a bad row.
        var within = Path.Combine(dir, "within.csv");
        File.WriteAllLines(within, [.. lines.SelectMany(l => l.Contains("-01-01,") ? [$"# {l[..4]}, station checked", l] : new[] { l })]);
        var commentLines = File.ReadLines(within).Select((l, i) => (l, i + 1)).Where(p => p.l.StartsWith("# ")).Select(p => p.Item2).ToArray();
        Assert.Equal(4, commentLines.Length);
        foreach (var streamed in new[] { false, true })
        {
            var source = DataSource.Open(within);
            var read = streamed ? Table.Concat(source.ReadBatches(100).ToList()) : source.Read();
            var expected = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
            Assert.Equal(expected.RowCount, read.RowCount);
            Assert.Empty(read.Quarantined);
            Assert.Equal(((NumericColumn)expected["wind"]).Values, ((NumericColumn)read["wind"]).Values);
            if (streamed) Assert.All(read.Notes, n => Assert.Contains("within the table starts with '# ' or '##', as a comment", n.Problem));
            else
                Assert.Equal($"lines {string.Join(", ", commentLines)} ('# 2012, station checked', …) within the table start with '# ' or '##', as a comment, and do not have the header's fields: skipped, not rows",
                    Assert.Single(read.Notes).Problem);
        }

        // '#' as the first column's name (a number per row, as Pokémon tables write it) is a name.
        var numbered = Path.Combine(dir, "numbered.csv");
        File.WriteAllLines(numbered, ["#,date,weather", .. lines.Skip(1).Take(40).Select((l, i) => $"{i + 1},{l.Split(',')[0]},{l.Split(',')[5]}")]);
        Assert.Equal(["#", "date", "weather"], DataSource.Open(numbered).Read().ColumnNames);
    }

    [Fact]
    public void Names_repeated_under_a_line_that_groups_them_are_read_with_their_group()
    {
        // gapminder.json as a report lays it out: a country a row, a year over each pair of columns (a merged cell,
        // written as the year then an empty field), the measure under it.
        var (file, names, value) = GapminderReport(",2000,,2005,", "country,life_expect,fertility,life_expect,fertility");

        var read = DataSource.Open(file).Read();
        Assert.Equal(["country", "2000 life_expect", "2000 fertility", "2005 life_expect", "2005 fertility"], read.ColumnNames);
        Assert.Equal(names.Length, read.RowCount);
        Assert.Equal(names.Select(c => value(c, 2005, "fertility")), ((NumericColumn)read["2005 fertility"]).Values);
        Assert.Equal(2, read.Notes.Count);
        Assert.Equal("the names the header (line 2) repeats are read with the group above them on line 1: '2000 life_expect', '2000 fertility', '2005 life_expect', '2005 fertility'",
            read.Notes[1].Problem);

        // Repeated names with no line above them are still refused, naming one.
        var repeated = Path.Combine(TestData.TempDirectory(), "repeated.csv");
        File.WriteAllLines(repeated, File.ReadAllLines(file).Skip(1));
        Assert.Contains("the column name 'life_expect' appears twice", Assert.Throws<DataException>(() => DataSource.Open(repeated).Read()).Message);
    }

    [Fact]
    public void A_header_that_groups_columns_over_a_line_of_their_labels_names_each_by_its_group_and_label()
    {
        // gapminder.json as a spreadsheet writes it with merged cells: the country's name and a year over each pair of
        // columns on the first line (the year, then an empty field), the measures on the line under it.
        var (file, names, value) = GapminderReport("country,2000,,2005,", ",life_expect,fertility,life_expect,fertility");

        var read = DataSource.Open(file).Read();
        Assert.Equal(["country", "2000 life_expect", "2000 fertility", "2005 life_expect", "2005 fertility"], read.ColumnNames);
        Assert.Equal(names, ((StringColumn)read["country"]).Values);
        Assert.Equal(names.Select(c => value(c, 2000, "fertility")), ((NumericColumn)read["2000 fertility"]).Values);
        Assert.Equal(names.Select(c => value(c, 2005, "life_expect")), ((NumericColumn)read["2005 life_expect"]).Values);
        Assert.Equal("line 1 groups the columns (a name, then empty fields, as merged cells are written) and line 2 (',life_expect,fertility,life_expect,fertility') names them within their groups: '2000 life_expect', '2000 fertility', '2005 life_expect', '2005 fertility'",
            Assert.Single(read.Notes).Problem);

        // Without the empty fields the line under the header is units, skipped, and the names are the header's.
        var units = Path.Combine(TestData.TempDirectory(), "units.csv");
        File.WriteAllLines(units, ["country,life_expect_2000,fertility_2000", ",years,children per woman", .. File.ReadAllLines(file).Skip(2).Select(l => string.Join(',', l.Split(',')[..^2]))]);
        var unitsRead = DataSource.Open(units).Read();
        Assert.Equal(["country", "life_expect_2000", "fertility_2000"], unitsRead.ColumnNames);
        Assert.Contains("as units or labels do: not read as data", Assert.Single(unitsRead.Notes).Problem);
    }

    /// <summary>gapminder.json as a report lays it out, under the <paramref name="header"/> lines: a country a row (in
    /// order), its life expectancy and fertility in 2000, then in 2005. The file, the countries, and a country's measure in a year.</summary>
    private static (string File, string[] Countries, Func<string, int, string, double> Value) GapminderReport(params string[] header)
    {
        var gapminder = DataSource.Open(TestData.Vega("gapminder.json")).Read();
        var years = ((NumericColumn)gapminder["year"]).Values;
        var countries = ((StringColumn)gapminder["country"]).Values;
        double Value(string country, int year, string measure) => ((NumericColumn)gapminder[measure]).Values[
            Enumerable.Range(0, gapminder.RowCount).Single(r => countries[r] == country && years[r] == year)];
        string Written(string country, int year, string measure) => Value(country, year, measure).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var names = countries.Distinct().Order(StringComparer.Ordinal).Select(c => c!).ToArray();
        var file = Path.Combine(TestData.TempDirectory(), "report.csv");
        File.WriteAllLines(file, [.. header,
            .. names.Select(c => $"{(c.Contains(',') ? $"\"{c}\"" : c)},{Written(c, 2000, "life_expect")},{Written(c, 2000, "fertility")},{Written(c, 2005, "life_expect")},{Written(c, 2005, "fertility")}")]);
        return (file, names, Value);
    }

    [Fact]
    public void A_file_that_is_not_text_is_refused_naming_what_it_is()
    {
        var dir = TestData.TempDirectory();
        // Real files of other formats named as text: penguins.json zipped, Fashion-MNIST's labels gzipped and unzipped.
        var zip = Path.Combine(dir, "penguins.csv");
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
            System.IO.Compression.ZipFileExtensions.CreateEntryFromFile(archive, TestData.Vega("penguins.json"), "penguins.json");
        Assert.Equal($"{zip}: this is not delimited text but a ZIP archive (an .xlsx workbook is one: name it .xlsx; a zipped file, name it with .zip at the end, and Lathe reads the file it holds)",
            Assert.Throws<DataException>(() => DataSource.Open(zip).Read()).Message);
        var gzip = Path.Combine(dir, "labels.txt");
        File.Copy(TestData.FashionTrainLabels, gzip);
        Assert.Contains("gzip-compressed (name it with .gz at the end", Assert.Throws<DataException>(() => DataSource.Open(gzip).Read()).Message);
        // Streamed too, before any batch.
        Assert.Contains("gzip-compressed", Assert.Throws<DataException>(() => DataSource.Open(gzip).ReadBatches(100).ToList()).Message);
        var labels = Path.Combine(dir, "labels.data");
        File.WriteAllBytes(labels, Decompress(TestData.FashionTrainLabels));
        Assert.Equal($"{labels}: this is not delimited text but binary data — byte 1 is a NUL, which no text file holds",
            Assert.Throws<DataException>(() => DataSource.Open(labels).Read()).Message);

        // seattle-weather.csv written as UTF-16 without a byte-order mark: said so, and read when told.
        var utf16 = Path.Combine(dir, "weather16.dat");
        File.WriteAllBytes(utf16, System.Text.Encoding.Unicode.GetBytes(File.ReadAllText(TestData.Vega("seattle-weather.csv"))));
        Assert.Contains("UTF-16 text without a byte-order mark (every other byte a NUL) — set data.encoding: utf16", Assert.Throws<DataException>(() => DataSource.Open(utf16).Read()).Message);
        Assert.Equal(1461, DataSource.Open(utf16, DataFormat.Auto, encoding: TextEncoding.Utf16).Read().RowCount);

        static byte[] Decompress(string path)
        {
            using var input = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
    }

    private static DateTime?[] Dates(Table table) =>
        ((StringColumn)table["date"]).Values.Select(v => Lathe.Data.Schema.Values.TryDate(v!, out var date) ? date : (DateTime?)null).ToArray();

    [Theory]
    [InlineData("ab", "'ab' is not a delimiter Lathe reads")]
    [InlineData("\"", "a quote cannot split fields")]
    public void A_delimiter_that_cannot_be_is_refused_naming_the_file(string delimiter, string message)
    {
        var error = Assert.Throws<DataException>(() => DataSource.Open(TestData.Sklearn("iris.csv"), layout: new CsvLayout { Delimiter = delimiter }));
        Assert.Contains("iris.csv: " + message, error.Message);
    }

    [Fact]
    public void Layout_keys_are_refused_for_a_file_that_is_not_delimited_text()
    {
        var penguins = TestData.Vega("penguins.json");
        var error = Assert.Throws<DataException>(() => DataSource.Open(penguins, layout: new CsvLayout { Header = HeaderRow.False }));
        Assert.Equal($"{penguins}: data.header is for CSV and TSV files and Excel sheets, not json — remove it", error.Message);
        error = Assert.Throws<DataException>(() => DataSource.Open(penguins, layout: new CsvLayout { SkipRows = 1, Delimiter = ";", Sheet = "2" }));
        Assert.Equal($"{penguins}: data.delimiter, data.skip_rows and data.sheet are for CSV and TSV files and Excel sheets, not json — remove them", error.Message);
        // All at auto is no setting at all.
        Assert.Equal(344, DataSource.Open(TestData.Vega("penguins.json"), layout: new CsvLayout()).Read().RowCount);
    }

    [Fact]
    public void Skipping_past_the_end_is_a_clear_error()
    {
        var error = Assert.Throws<DataException>(() => DataSource.Open(TestData.Sklearn("linnerud_exercise.csv"), layout: new CsvLayout { SkipRows = 30 }).Read());
        Assert.Contains("nothing is left after the 21 line(s) skipped above the header — check data.skip_rows", error.Message);
    }

    [Theory]
    [InlineData("anes96/anes96.csv", "\t", 944)]
    [InlineData("spector/spector.csv", " ", 32)]
    public void Names_each_in_single_quotes_are_read_without_them_and_said(string file, string between, int rows)
    {
        // statsmodels writes these two with every name quoted: 'popul'\t'TVnews'…, 'OBS' 'GPA' 'TUCE' 'PSI' 'GRADE'.
        var path = TestData.Statsmodels(file);
        var names = File.ReadLines(path).First().Split(between).Select(n => n.Trim('\'')).ToArray();
        var table = DataSource.Open(path).Read();
        Assert.Equal(names, table.ColumnNames);
        Assert.Equal(rows, table.RowCount);
        Assert.Empty(table.Quarantined);
        Assert.All(table.Columns, c => Assert.IsType<NumericColumn>(c));
        var note = Assert.Single(table.Notes);
        Assert.Equal($"the header (line 1) writes every name in single quotes ('{names[0]}'), so they are read without them", note.Problem);

        // A name that only ends in a quote keeps it: the rule is for a header that quotes them all.
        var partly = Path.Combine(TestData.TempDirectory(), "partly.csv");
        File.WriteAllLines(partly, ["'a',b's,c", "1,2,3", "4,5,6"]);
        var read = DataSource.Open(partly).Read();
        Assert.Equal(["'a'", "b's", "c"], read.ColumnNames);
        Assert.Empty(read.Notes);
    }

    [Theory]
    [InlineData("danish_data/data.csv", "period", 55, "1974-01-01", "1974-04-01", "1987-07-01")]
    [InlineData("elec_equip/elec_equip.csv", "DATE", 257, "1995-01-01", "1995-02-01", "2016-05-01")]
    public void Quarters_and_month_names_with_hyphens_are_dates(string file, string column, int rows, string first, string second, string last)
    {
        // danish_data: 1974Q1, 1974Q2, … (the file starts with a byte-order mark); elec_equip: Jan-1-1995, Feb-1-1995, ….
        var table = DataSource.Open(TestData.Statsmodels(file)).Read();
        Assert.Equal(column, table.ColumnNames.First());
        Assert.Equal(rows, table.RowCount);
        var schema = Lathe.Data.Schema.SchemaInference.Infer(table, table.ColumnNames.ElementAt(1));
        Assert.Equal(Lathe.Data.Schema.ColumnType.DateTime, schema.Find(column)!.Type);
        var dates = ((StringColumn)table[column]).Values.Select(v => Lathe.Data.Schema.Values.TryDate(v!, out var d) ? d.ToString("yyyy-MM-dd") : null).ToArray();
        Assert.Equal([first, second], dates.Take(2));
        Assert.Equal(last, dates[^1]);
        // One a quarter or a month apart, every one.
        Assert.All(dates.Zip(dates.Skip(1)), p => Assert.Equal(file.StartsWith("danish") ? 3 : 1,
            (DateTime.Parse(p.Second!).Year - DateTime.Parse(p.First!).Year) * 12 + DateTime.Parse(p.Second!).Month - DateTime.Parse(p.First!).Month));
    }

    [Fact]
    public void Notes_below_the_table_are_skipped_and_said_not_quarantined()
    {
        // seattle-weather.csv as a statistics office would publish it: a blank line and its sources under the table.
        var original = TestData.Vega("seattle-weather.csv");
        var expected = DataSource.Open(original).Read();
        var dir = TestData.TempDirectory();
        var lines = File.ReadAllLines(original);
        var noted = Path.Combine(dir, "seattle-noted.csv");
        File.WriteAllLines(noted, [.. lines, "", "Source: NOAA, Seattle-Tacoma airport station", "Note: precipitation in mm; \"drizzle\" as reported"]);
        var table = DataSource.Open(noted).Read();
        BatchAssert.SameAsRead(expected, [table], expected.RowCount);
        var note = Assert.Single(table.Notes);
        Assert.Equal($"lines {lines.Length + 2}–{lines.Length + 3} ('Source: NOAA, Seattle-Tacoma airport station', …) below the table are notes, not rows: they do not have the header's 6 fields, and are skipped", note.Problem);
        Assert.Equal("if they are rows of the table, mend the file", note.Fix);
        // Streamed, the same rows, and the note with the last batch.
        var batches = new CsvSource(noted).ReadBatches(300, 8192).ToList();
        BatchAssert.SameAsRead(expected, batches, 300);
        Assert.Equal([note], batches[^1].Notes);

        // A broken line inside the table is quarantined, and so is a last row cut short: a date first is data, not a note.
        var broken = Path.Combine(dir, "seattle-broken.csv");
        File.WriteAllLines(broken, [.. lines[..100], "Total,0.0", .. lines[100..], "2015-12-31,0.0"]);
        var read = DataSource.Open(broken).Read();
        Assert.Equal([101, lines.Length + 2], read.Quarantined.Select(q => q.Line));
        Assert.Empty(read.Notes);
        // A total under the table is a note.
        File.WriteAllLines(broken, [.. lines, "Total,1262.6"]);
        read = DataSource.Open(broken).Read();
        Assert.Empty(read.Quarantined);
        Assert.StartsWith($"line {lines.Length + 1} ('Total,1262.6') below the table is a note, not a row", Assert.Single(read.Notes).Problem);

        // More than 20 lines, or more lines than half the rows, are damage, not notes: quarantined as before.
        var damaged = Path.Combine(dir, "seattle-damaged.csv");
        File.WriteAllLines(damaged, [.. lines, .. Enumerable.Range(0, 21).Select(i => $"note {i}")]);
        var quarantined = DataSource.Open(damaged).Read();
        Assert.Equal(21, quarantined.Quarantined.Count);
        Assert.Empty(quarantined.Notes);
        var few = Path.Combine(dir, "few.csv");
        File.WriteAllLines(few, [lines[0], lines[1], "source: NOAA", "station: SEA"]);
        Assert.Equal(2, DataSource.Open(few).Read().Quarantined.Count);
    }
}
