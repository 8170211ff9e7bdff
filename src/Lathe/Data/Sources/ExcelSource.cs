using System.Globalization;
using System.Text;
using ExcelDataReader;
using Lathe.Config;

namespace Lathe.Data.Sources;

/// <summary>Reads one sheet of an Excel workbook (.xlsx, .xlsm, or the older .xls) as a table. The sheet is written as
/// CSV text, one line per sheet row (numbers in full, dates as ISO dates, a blank row as a blank line), and read by
/// <see cref="CsvSource"/>: so a sheet gets what a CSV file gets — a title above the header skipped and said, a header of
/// numbers read as data, stray values quarantined, the same type inference — and a row is named by its row number in
/// the sheet ("row 7").</summary>
/// <remarks>The sheet is <see cref="CsvLayout.Sheet"/> (a name, or a number from 1), else the first, with a note saying
/// which was read when the workbook has more. Cells come as the workbook stores them (ExcelDataReader): a number, text,
/// true/false, a date where the cell's number format is a date format, nothing for an empty or error cell. Columns
/// empty in every row, left or right of the table, are left out.</remarks>
public sealed class ExcelSource(string path, CsvLayout? layout = null, double quarantineLimit = 0.01) : IDataSource
{
    static ExcelSource() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private readonly CsvLayout _layout = layout ?? CsvLayout.Detect;

    public string Name => path;

    public IReadOnlyList<string> Files => [path];

    public Table Read(CancellationToken cancellationToken = default)
    {
        var (text, notes, header) = SheetAsCsv(cancellationToken);
        // The text is written with commas and decimal points, whatever the workbook's locale.
        var csv = _layout with { Delimiter = ",", Decimal = DecimalMark.Point, Sheet = null, SkipRows = _layout.SkipRows ?? header - 1 };
        var table = new CsvSource(path, csv, TextEncoding.Utf8, quarantineLimit) { Content = text, RowUnit = "row", SourceNotes = notes }.Read(cancellationToken);
        return text.AsSpan().Contains((byte)'\r') ? WithLineBreaks(table) : table;
    }

    /// <summary>The table with its text's line breaks back. A cell's line break (Alt+Enter) is written into the CSV text
    /// as a carriage return (<see cref="Write"/>), which the CSV reader keeps inside a quoted field without counting a
    /// line, so that every sheet row stays one line and a row's number stays its own; here it becomes a line break
    /// again, in the column names and the values.</summary>
    private static Table WithLineBreaks(Table table)
    {
        static string? Restored(string? text) => text?.Replace('\r', '\n');
        return table.With(table.Columns.Select(column =>
        {
            var named = column.Name.Contains('\r') ? column.Rename(Restored(column.Name)!) : column;
            return named is StringColumn texts && texts.Values.Any(v => v is not null && v.Contains('\r'))
                ? new StringColumn(named.Name, texts.Values.Select(Restored).ToArray())
                : named;
        }).ToArray());
    }

    /// <summary>The workbook's sheets, by name, in order.</summary>
    public IReadOnlyList<string> Sheets()
    {
        using var reader = Open();
        return Sheets(reader);
    }

    /// <summary>The sheets' names, read by moving through them; <paramref name="reader"/> is then back at the first.</summary>
    private static List<string> Sheets(IExcelDataReader reader)
    {
        var names = new List<string>();
        do names.Add(reader.Name);
        while (reader.NextResult());
        reader.Reset();
        return names;
    }

    private IExcelDataReader Open()
    {
        var file = File.OpenRead(path);
        try
        {
            return ExcelReaderFactory.CreateReader(file);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            file.Dispose();
            throw new DataException($"{path}: not an Excel workbook that can be read ({e.Message})");
        }
    }

    /// <returns>The sheet as CSV text; what to say of it; the row that names the columns when rows of notes stand above
    /// it (<see cref="HeaderBelowNotes"/>), unless <see cref="CsvLayout.SkipRows"/> or <see cref="CsvLayout.Header"/> is set.</returns>
    private (byte[] Text, List<ReadNote> Notes, int? Header) SheetAsCsv(CancellationToken cancellationToken)
    {
        using var reader = Open();
        var sheets = Sheets(reader);
        var index = Pick(sheets);
        var notes = new List<ReadNote>();
        if (sheets.Count > 1 && _layout.Sheet is null)
            notes.Add(new ReadNote($"the workbook has {sheets.Count} sheets ({string.Join(", ", sheets.Take(6).Select(s => $"'{s}'"))}{(sheets.Count > 6 ? ", …" : "")}): the first, '{sheets[0]}', is read",
                "to read another, set data.sheet to its name or number"));
        for (var k = 0; k < index; k++) reader.NextResult();
        var rows = new List<(int Row, object?[] Cells)>();
        // The columns a cell of the sheet holds something in: the table, whatever empty columns stand left or right of it.
        int first = int.MaxValue, width = 0;
        try
        {
            while (reader.Read())
            {
                if (rows.Count % 4096 == 0) cancellationToken.ThrowIfCancellationRequested();
                var cells = new object?[reader.FieldCount];
                for (var c = 0; c < cells.Length; c++)
                {
                    cells[c] = reader.GetValue(c);
                    if (Empty(cells[c])) continue;
                    first = Math.Min(first, c);
                    width = Math.Max(width, c + 1);
                }
                rows.Add((reader.Depth + 1, cells));
            }
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            throw new DataException($"{path}: sheet '{sheets[index]}' cannot be read ({e.Message})");
        }
        // A sheet with nothing in it is empty text, which the CSV reader refuses as an empty file.
        if (width == 0) return ([], notes, null);
        var below = Notes(rows, first, width);
        var header = _layout.SkipRows is null && _layout.Header == HeaderRow.Auto ? HeaderBelowNotes(rows, first, width) : null;
        if (header is { } named)
            notes.Add(new ReadNote($"{(named == 2 ? "row 1" : $"rows 1–{named - 1}")} above row {named} {(named == 2 ? "is" : "are")} skipped as notes: row {named} is the first to name every column, and the rows above fill fewer",
                $"if another row names the columns, set data.skip_rows to the number of rows above it"));
        var text = new StringBuilder();
        var line = 1;
        foreach (var (row, cells) in rows)
        {
            // One line per sheet row, so that a line's number is its row's; an empty row is a blank line, which is skipped.
            for (; line < row; line++) text.Append('\n');
            if (row >= below)
                // A note below the table, as one field: CsvSource skips it as such and says so.
                Write(text, string.Join(" ", cells.Where(c => !Empty(c))));
            else if (cells.Take(width).Any(c => !Empty(c)))
                for (var c = first; c < width; c++)
                {
                    if (c > first) text.Append(',');
                    Write(text, c < cells.Length ? cells[c] : null);
                }
            text.Append('\n');
            line++;
        }
        return (Encoding.UTF8.GetBytes(text.ToString()), notes, header);
    }

    /// <summary>The sheet row that names the columns when rows of notes stand above it (readxl's deaths.xlsx: four rows of
    /// notes, some across five of its six columns, then the names, then people): the first row that fills every column of
    /// the table, when rows above it fill fewer and it holds only text. Null when the first row of anything fills every
    /// column (a plain table), when the first full row holds a number, a date or a yes/no cell (a header with a blank,
    /// as pandas' <c>to_excel</c> writes its index, above data), or when no row fills every column.</summary>
    private static int? HeaderBelowNotes(List<(int Row, object?[] Cells)> rows, int first, int width)
    {
        bool Filled(object?[] cells, int c) => c < cells.Length && !Empty(cells[c]);
        var top = rows.FindIndex(r => Enumerable.Range(first, width - first).Any(c => Filled(r.Cells, c)));
        var full = rows.FindIndex(r => Enumerable.Range(first, width - first).All(c => Filled(r.Cells, c)));
        if (full <= top || rows[full].Cells.Skip(first).Take(width - first).Any(c => c is not string)) return null;
        return rows[full].Row;
    }

    /// <summary>The first sheet row of the notes below the table (int.MaxValue when there are none): the rows after its
    /// last row that hold nothing but text in at most half of its three or more columns ("Some", "also like to write
    /// stuff" under readxl's deaths.xlsx), 20 at most, under a header and twice as many rows.</summary>
    private static int Notes(List<(int Row, object?[] Cells)> rows, int first, int width)
    {
        if (width - first < 3) return int.MaxValue;
        var notes = int.MaxValue;
        var count = 0;
        for (var k = rows.Count - 1; k >= 0; k--)
        {
            var filled = rows[k].Cells.Skip(first).Take(width - first).Where(c => !Empty(c)).ToArray();
            if (filled.Length == 0) continue;
            if (2 * filled.Length > width - first || filled.Any(c => c is not string) || ++count > 20) break;
            notes = rows[k].Row;
        }
        // Under a header and at least twice as many rows.
        var above = rows.Count(r => r.Row < notes && r.Cells.Any(c => !Empty(c)));
        return count > 20 || above < 2 * count + 1 ? int.MaxValue : notes;
    }

    /// <summary>The sheet <see cref="CsvLayout.Sheet"/> names (its name, any case; or its number from 1), else the first.</summary>
    private int Pick(IReadOnlyList<string> sheets)
    {
        if (_layout.Sheet is not { } wanted) return 0;
        var exact = sheets.ToList().IndexOf(wanted);
        if (exact >= 0) return exact;
        var named = sheets.Select((s, i) => (s, i)).Where(p => string.Equals(p.s, wanted, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (named.Length == 1) return named[0].i;
        if (int.TryParse(wanted, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= sheets.Count) return number - 1;
        throw new DataException($"{path}: no sheet '{wanted}' — the workbook has {string.Join(", ", sheets.Select(s => $"'{s}'"))}; set data.sheet to one of them or to its number (1 to {sheets.Count})");
    }

    private static bool Empty(object? cell) => cell is null or DBNull || cell is string s && s.Length == 0;

    private static void Write(StringBuilder text, object? cell)
    {
        switch (cell)
        {
            case null or DBNull:
                break;
            case double number:
                if (double.IsFinite(number)) text.Append(number.ToString("R", CultureInfo.InvariantCulture));
                break;
            case DateTime date:
                text.Append(date.ToString(date.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : date.Millisecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-ddTHH:mm:ss.fff",
                    CultureInfo.InvariantCulture));
                break;
            case bool flag:
                text.Append(flag ? "true" : "false");
                break;
            default:
                // Text in quotes. A line break inside the cell as a carriage return (the CSV reader counts '\n' as lines),
                // so that the row stays one line; WithLineBreaks makes it a line break again.
                var words = cell as string ?? Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "";
                text.Append('"').Append(words.Replace("\"", "\"\"").Replace("\r\n", "\r").Replace('\n', '\r')).Append('"');
                break;
        }
    }
}
