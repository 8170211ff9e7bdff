namespace Lathe.Config;

/// <summary>One more data file (the fixed test set), read like <see cref="DataConfig.Path"/>.</summary>
public sealed record DataSourceConfig
{
    public string Path { get; init; } = "";
    public DataFormat Format { get; init; } = DataFormat.Auto;
    public TextEncoding Encoding { get; init; } = TextEncoding.Auto;
    public string? Labels { get; init; }
}
