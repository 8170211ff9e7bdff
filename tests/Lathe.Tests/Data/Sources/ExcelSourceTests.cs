using System.Text.RegularExpressions;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Sources;

/// <summary>Excel workbooks as readxl ships them for its own tests: four datasets in one workbook, in both file formats;
/// a table with notes above it; a table away from A1.</summary>
public class ExcelSourceTests
{
    [Fact]
    public void The_first_sheet_is_read_and_the_others_named()
    {
        var table = DataSource.Open(TestData.Readxl("datasets.xlsx")).Read();
        Assert.Equal(["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width", "Species"], table.ColumnNames);
        Assert.Equal(150, table.RowCount);
        // What the reader said stays said: the workbook's other sheets.
        Assert.StartsWith("the workbook has 4 sheets", Assert.Single(table.Notes).Problem);
        Assert.Equal("row 2", table.RowName(0));
        Assert.Empty(table.Quarantined);
        Assert.Equal([5.1, 3.5, 1.4, 0.2], table.Columns.Take(4).Select(c => ((NumericColumn)c).Values[0]));
        var species = ((StringColumn)table["Species"]).Values;
        Assert.Equal([("setosa", 50), ("versicolor", 50), ("virginica", 50)], species.GroupBy(s => s!).Select(g => (g.Key, g.Count())).Order());
        var note = Assert.Single(table.Notes);
        Assert.Equal("the workbook has 4 sheets ('iris', 'mtcars', 'chickwts', 'quakes'): the first, 'iris', is read", note.Problem);
        Assert.Equal("to read another, set data.sheet to its name or number", note.Fix);
    }

    [Theory]
    [InlineData("quakes", 1000, 5)]
    [InlineData("4", 1000, 5)]
    [InlineData("MTCARS", 32, 11)]
    [InlineData("chickwts", 71, 2)]
    public void A_sheet_named_or_numbered_reads_the_same_from_xlsx_and_xls(string sheet, int rows, int columns)
    {
        var layout = new CsvLayout { Sheet = sheet };
        var xlsx = DataSource.Open(TestData.Readxl("datasets.xlsx"), layout: layout).Read();
        var xls = DataSource.Open(TestData.Readxl("datasets.xls"), layout: layout).Read();
        Assert.Equal(rows, xlsx.RowCount);
        Assert.Equal(columns, xlsx.ColumnNames.Count());
        Assert.Empty(xlsx.Notes);
        BatchAssert.SameAsRead(xlsx, [xls], rows);
    }

    [Fact]
    public void Notes_above_and_below_the_table_are_skipped_and_said_and_dates_and_yes_no_cells_keep_their_kind()
    {
        // deaths.xlsx: four rows of notes above the header (some across five of six columns), ten people, four rows of
        // notes below ("Some", "also like to write stuff", "at the" "bottom,", "too!"); both sheets so.
        var table = DataSource.Open(TestData.Readxl("deaths.xlsx"), layout: new CsvLayout { Sheet = "arts" }).Read();
        Assert.Equal(["Name", "Profession", "Age", "Has kids", "Date of birth", "Date of death"], table.ColumnNames);
        Assert.Equal(10, table.RowCount);
        Assert.Empty(table.Quarantined);
        Assert.Equal("row 6", table.RowName(0));
        Assert.Equal("row 15", table.RowName(9));
        Assert.Equal([
            "rows 1–4 above row 5 are skipped as notes: row 5 is the first to name every column, and the rows above fill fewer",
            "rows 16–19 ('Some', …) below the table are notes, not rows: they do not have the header's 6 fields, and are skipped",
        ], table.Notes.Select(n => n.Problem));
        // Told where the names are, the same table, and nothing said of the rows above.
        var told = DataSource.Open(TestData.Readxl("deaths.xlsx"), layout: new CsvLayout { SkipRows = 4, Sheet = "arts" }).Read();
        BatchAssert.SameAsRead(table, [told], 10);
        Assert.Single(told.Notes);
        var types = Lathe.Data.Schema.SchemaInference.Infer(table, "Age");
        Assert.Equal([ColumnType.Categorical, ColumnType.Categorical, ColumnType.Numeric, ColumnType.Boolean, ColumnType.DateTime, ColumnType.DateTime],
            table.ColumnNames.Select(n => types.Find(n)!.Type));
        Assert.Equal("David Bowie", ((StringColumn)table["Name"]).Values[0]);
        // Dates are stored as day numbers with a date format: read as the dates they show.
        Assert.Equal(["1947-01-08", "1956-10-21"], ((StringColumn)table["Date of birth"]).Values.Take(2));
        Assert.Equal(["2016-01-10", "2016-12-27"], ((StringColumn)table["Date of death"]).Values.Take(2));
        Assert.Equal(["true", "true", "true", "true", "true", "false"], ((StringColumn)table["Has kids"]).Values.Take(6));
        // The age is a formula: its value as last calculated.
        Assert.Equal(69, ((NumericColumn)table["Age"]).Values[0]);
    }

    [Fact]
    public void A_table_away_from_the_corner_is_read_without_the_empty_rows_and_columns_around_it()
    {
        // clippy.xlsx: a list of names and values whose first row names both columns; the rows below it are all text
        // but the last two: its first row is its header, and nothing is skipped.
        var clippy = DataSource.Open(TestData.Readxl("clippy.xlsx")).Read();
        Assert.Equal(["name", "value"], clippy.ColumnNames);
        Assert.Equal(4, clippy.RowCount);

        // geometry.xlsx: B3:D6, each cell holding its own address.
        var table = DataSource.Open(TestData.Readxl("geometry.xlsx")).Read();
        Assert.Equal(["B3", "C3", "D3"], table.ColumnNames);
        Assert.Equal(["B4", "B5", "B6"], ((StringColumn)table["B3"]).Values.Select(v => v!));
        Assert.Equal(["D4", "D5", "D6"], ((StringColumn)table["D3"]).Values.Select(v => v!));
        Assert.Equal("row 4", table.RowName(0));
    }

    [Fact]
    public void Line_breaks_in_cells_are_kept_and_every_row_keeps_its_number()
    {
        // datasets.xlsx's iris sheet with a line break in a name and in every 'setosa' (rows 2–51, written CRLF), and
        // 'abc' in a number cell of row 100, below them.
        var path = Path.Combine(TestData.TempDirectory(), "breaks.xlsx");
        File.Copy(TestData.Readxl("datasets.xlsx"), path);
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            void Edit(string name, Func<string, string> edit)
            {
                var entry = zip.GetEntry(name)!;
                string xml;
                using (var reader = new StreamReader(entry.Open())) xml = reader.ReadToEnd();
                entry.Delete();
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(edit(xml));
            }
            Edit("xl/sharedStrings.xml", xml => xml.Replace("<t>Sepal.Length</t>", "<t>Sepal&#10;Length</t>").Replace("<t>setosa</t>", "<t>set&#13;&#10;osa</t>"));
            Edit("xl/worksheets/sheet1.xml", xml => Regex.Replace(xml, "<c r=\"A100\"[^>]*><v>[^<]*</v></c>", "<c r=\"A100\" t=\"inlineStr\"><is><t>abc</t></is></c>"));
        }
        var table = DataSource.Open(path).Read();
        Assert.Equal(["Sepal\nLength", "Sepal.Width", "Petal.Length", "Petal.Width", "Species"], table.ColumnNames);
        Assert.Equal(50, ((StringColumn)table["Species"]).Values.Count(v => v == "set\nosa"));
        Assert.Equal(150, table.RowCount);
        // What the reader said stays said: the workbook's other sheets.
        Assert.StartsWith("the workbook has 4 sheets", Assert.Single(table.Notes).Problem);
        Assert.Equal("row 2", table.RowName(0));
        Assert.Equal("row 151", table.RowName(149));
        // The stray value is named by its own row, which the cleaning step then quarantines.
        Assert.Equal("abc", ((StringColumn)table["Sepal\nLength"]).Values[98]);
        Assert.Equal("row 100", table.RowName(98));
    }

    [Fact]
    public void Bad_workbooks_sheets_and_keys_are_refused_naming_what_and_where()
    {
        var datasets = TestData.Readxl("datasets.xlsx");
        var missing = Assert.Throws<DataException>(() => DataSource.Open(datasets, layout: new CsvLayout { Sheet = "penguins" }).Read());
        Assert.Equal($"{datasets}: no sheet 'penguins' — the workbook has 'iris', 'mtcars', 'chickwts', 'quakes'; set data.sheet to one of them or to its number (1 to 4)", missing.Message);
        Assert.Contains("no sheet '5'", Assert.Throws<DataException>(() => DataSource.Open(datasets, layout: new CsvLayout { Sheet = "5" }).Read()).Message);

        var cut = Path.Combine(TestData.TempDirectory(), "cut.xlsx");
        var bytes = File.ReadAllBytes(datasets);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        Assert.StartsWith($"{cut}: not an Excel workbook that can be read (", Assert.Throws<DataException>(() => DataSource.Open(cut).Read()).Message);

        // datasets.xlsx with its first sheet's values taken out, a formatted empty cell left: empty, said as such.
        var emptied = Path.Combine(TestData.TempDirectory(), "emptied.xlsx");
        File.Copy(datasets, emptied);
        using (var zip = System.IO.Compression.ZipFile.Open(emptied, System.IO.Compression.ZipArchiveMode.Update))
        {
            var sheet = zip.GetEntry("xl/worksheets/sheet1.xml")!;
            string xml;
            using (var reader = new StreamReader(sheet.Open())) xml = reader.ReadToEnd();
            sheet.Delete();
            var start = xml.IndexOf("<sheetData>", StringComparison.Ordinal);
            var end = xml.IndexOf("</sheetData>", StringComparison.Ordinal) + "</sheetData>".Length;
            using var writer = new StreamWriter(zip.CreateEntry("xl/worksheets/sheet1.xml").Open());
            writer.Write(xml[..start] + "<sheetData><row r=\"1\"><c r=\"A1\" s=\"0\"/></row></sheetData>" + xml[end..]);
        }
        Assert.StartsWith($"{emptied}: the file is empty", Assert.Throws<DataException>(() => DataSource.Open(emptied).Read()).Message);

        Assert.Equal($"{datasets}: data.delimiter and data.decimal are for CSV and TSV files; an Excel sheet is read as it is stored — remove them",
            Assert.Throws<DataException>(() => DataSource.Open(datasets, layout: new CsvLayout { Delimiter = ";", Decimal = DecimalMark.Comma })).Message);
        var csv = TestData.Vega("seattle-weather.csv");
        Assert.Equal($"{csv}: data.sheet is for Excel workbooks — remove it",
            Assert.Throws<DataException>(() => DataSource.Open(csv, layout: new CsvLayout { Sheet = "1" })).Message);
        Assert.Equal(DataFormat.Excel, DataSource.Detect(TestData.Readxl("datasets.xls")));
    }
}
