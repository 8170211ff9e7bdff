namespace Lathe.Config;

/// <summary>One more data file (the fixed test set), read like <see cref="DataConfig.Path"/>.</summary>
public sealed record DataSourceConfig
{
    public string Path { get; init; } = "";
    public DataFormat Format { get; init; } = DataFormat.Auto;
    public TextEncoding Encoding { get; init; } = TextEncoding.Auto;
    /// <summary>How a CSV/TSV file is laid out: the keys delimiter, skip_rows, header, decimal and dates.</summary>
    public Data.Sources.CsvLayout Layout { get; init; } = Data.Sources.CsvLayout.Detect;
    public string? Labels { get; init; }
}
