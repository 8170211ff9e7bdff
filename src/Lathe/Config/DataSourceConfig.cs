namespace Lathe.Config;

/// <summary>One more data file (the fixed test set), read like <see cref="DataConfig.Path"/>.</summary>
public sealed record DataSourceConfig
{
    public string Path { get; init; } = "";
    public DataFormat Format { get; init; } = DataFormat.Auto;
    public TextEncoding Encoding { get; init; } = TextEncoding.Auto;
    /// <summary>CSV/TSV: what splits the fields (<see cref="Data.Sources.CsvLayout.Delimiter"/>).</summary>
    public string Delimiter { get; init; } = Data.Sources.CsvLayout.Auto;
    /// <summary>CSV/TSV: lines above the header to skip; null finds a preamble.</summary>
    public int? SkipRows { get; init; }
    /// <summary>CSV/TSV: whether the first line read names the columns.</summary>
    public Data.Sources.HeaderRow Header { get; init; }
    /// <summary>CSV/TSV: what marks a number's decimals.</summary>
    public Data.Sources.DecimalMark Decimal { get; init; }
    /// <summary>CSV/TSV: which part of a date written with slashes comes first.</summary>
    public Data.Sources.DateOrder Dates { get; init; }
    /// <summary>How a CSV/TSV file is laid out, from the five keys above.</summary>
    public Data.Sources.CsvLayout Layout => new() { Delimiter = Delimiter, SkipRows = SkipRows, Header = Header, Decimal = Decimal, Dates = Dates };
    public string? Labels { get; init; }
}
