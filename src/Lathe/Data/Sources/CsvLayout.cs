namespace Lathe.Data.Sources;

/// <summary>How a delimited text file is laid out: what splits its fields, how many lines stand above the header
/// (a title, or a line of counts as scikit-learn's data files have), whether there is a header at all, the decimal
/// mark and the order of dates written with slashes. Each is found from the file when left at auto
/// (<see cref="CsvSource"/>); the config's <c>data.delimiter</c>, <c>data.skip_rows</c>, <c>data.header</c>,
/// <c>data.decimal</c> and <c>data.dates</c> set them. An Excel sheet is read as such a file (<see cref="ExcelSource"/>):
/// the rows above its header, the header and dates written as text apply to it too, and <c>data.sheet</c> says which
/// sheet.</summary>
public sealed record CsvLayout
{
    /// <summary>auto (found from the first lines: , tab ; | or white space), whitespace (runs of spaces and tabs, as
    /// pandas' <c>sep=r"\s+"</c>), tab, or one character.</summary>
    public string Delimiter { get; init; } = Auto;
    /// <summary>Lines above the header, skipped; null finds a preamble (<see cref="CsvSource"/>).</summary>
    public int? SkipRows { get; init; }
    public HeaderRow Header { get; init; } = HeaderRow.Auto;
    /// <summary>What marks a number's decimals: a point, or a comma as European spreadsheets write them ("1.234,5" is
    /// 1234.5); auto finds a comma in a file not split by commas whose numbers have decimal commas and no decimal points.</summary>
    public DecimalMark Decimal { get; init; } = DecimalMark.Auto;
    /// <summary>Whether dates written with slashes put the day or the month first ("31/12/2024" or "12/31/2024"); auto
    /// finds day first where the numbers have decimal commas (every such locale writes the day first), or where a
    /// date's first part passes 12 and no second part does. Day-first dates are read as ISO dates.</summary>
    public DateOrder Dates { get; init; } = DateOrder.Auto;
    /// <summary>Excel workbooks: the sheet to read, by name or number (1 is the first); null reads the first
    /// (<see cref="ExcelSource"/>).</summary>
    public string? Sheet { get; init; }

    /// <summary>This layout less what <paramref name="format"/> does not take: a sheet for a CSV or TSV file; the delimiter
    /// and decimal mark for a workbook, whose cells are read as stored; everything for any other format.</summary>
    public CsvLayout For(Config.DataFormat format) => format switch
    {
        Config.DataFormat.Csv or Config.DataFormat.Tsv => this with { Sheet = null },
        Config.DataFormat.Excel => this with { Delimiter = Auto, Decimal = DecimalMark.Auto },
        _ => Detect,
    };

    /// <summary>This layout with a decimal comma or day-first dates that the reader <paramref name="found"/> in the file
    /// set where this left them auto: what a trained model records (its resolved config), so that <c>lathe predict</c>
    /// reads a new file, and <c>lathe serve</c> a request, as the training file was read even where they hold too
    /// little to tell ("05/06/2024" alone is either order). A point and month-first stay auto: they are what auto reads
    /// without evidence, and a file with evidence of its own is then still read as it says.</summary>
    public CsvLayout WithFound(CsvLayout? found) => found is null ? this : this with
    {
        Decimal = Decimal == DecimalMark.Auto && found.Decimal == DecimalMark.Comma ? DecimalMark.Comma : Decimal,
        Dates = Dates == DateOrder.Auto && found.Dates == DateOrder.DayFirst ? DateOrder.DayFirst : Dates,
    };

    public const string Auto = "auto";
    public const string Whitespace = "whitespace";
    public const string Tab = "tab";

    /// <summary>Everything found from the file.</summary>
    public static readonly CsvLayout Detect = new();

    /// <summary>The delimiter as the reader takes it: null to find it, or its byte and whether runs of white
    /// space split fields. False with the reason when it is not one Lathe reads.</summary>
    public static bool TryParseDelimiter(string text, out (byte Byte, bool Whitespace)? delimiter, out string? error)
    {
        (delimiter, error) = (null, null);
        switch (text)
        {
            case Auto: return true;
            case Whitespace: delimiter = ((byte)' ', true); return true;
            case Tab or "\t": delimiter = ((byte)'\t', false); return true;
        }
        if (text.Length != 1 || text[0] > 127)
            error = $"'{text}' is not a delimiter Lathe reads: give auto, whitespace, tab or one ASCII character such as , ; |";
        else if (text[0] is '"' or '\n' or '\r')
            error = $"{(text[0] == '"' ? "a quote" : "a line break")} cannot split fields: it has its own meaning in a delimited file";
        else
        {
            delimiter = ((byte)text[0], false);
            return true;
        }
        return false;
    }
}

/// <summary>What marks a number's decimals in a delimited file (<see cref="CsvLayout.Decimal"/>).</summary>
public enum DecimalMark { Auto, Point, Comma }

/// <summary>Which part of a date written with slashes comes first (<see cref="CsvLayout.Dates"/>).</summary>
public enum DateOrder { Auto, MonthFirst, DayFirst }

/// <summary>Whether the first line read (after <see cref="CsvLayout.SkipRows"/>) names the columns. Auto: it does
/// unless every field is a number, which makes it data.</summary>
public enum HeaderRow { Auto, True, False }
