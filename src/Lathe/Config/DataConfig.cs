namespace Lathe.Config;

/// <summary>Where the data comes from and how it is split.</summary>
public sealed record DataConfig
{
    /// <summary>The data file; a relative path is relative to the config file. Empty for a PostgreSQL source.</summary>
    public string Path { get; init; } = "";
    public DataFormat Format { get; init; } = DataFormat.Auto;
    public TextEncoding Encoding { get; init; } = TextEncoding.Auto;
    /// <summary>How a CSV/TSV file is laid out: the keys delimiter, skip_rows, header, decimal and dates.</summary>
    public Data.Sources.CsvLayout Layout { get; init; } = Data.Sources.CsvLayout.Detect;
    /// <summary>SQL sources: the query whose result is the table (SQLite: a .db file as <see cref="Path"/>;
    /// PostgreSQL: <see cref="Connection"/>).</summary>
    public string? Query { get; init; }
    /// <summary>PostgreSQL: the server and database as an Npgsql connection string (Host=…;Database=…;Username=…),
    /// in place of <see cref="Path"/>.</summary>
    public string? Connection { get; init; }
    /// <summary>PostgreSQL: a file whose first line is the password, so that it stays out of the config.</summary>
    public string? PasswordFile { get; init; }
    /// <summary>Image folders: [height, width] every image is resized to; empty uses the most common size.</summary>
    public IReadOnlyList<int> ImageSize { get; init; } = [];
    /// <summary>IDX only: the labels file that goes with the images in <see cref="Path"/>.</summary>
    public string? Labels { get; init; }
    /// <summary>A separate, fixed test set; when set, the split's test fraction must be 0.</summary>
    public DataSourceConfig? Test { get; init; }
    /// <summary>Columns never used as features (identifiers, leaks).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];
    public SplitConfig Split { get; init; } = new();
    /// <summary>The largest share of rows that may be malformed (set aside in quarantine.csv) before the run stops.</summary>
    public double QuarantineLimit { get; init; } = 0.01;
    /// <summary>A value that does not fit its column's type: quarantine its row, or make it missing and count it.</summary>
    public BadValueHandling BadValues { get; init; } = BadValueHandling.Quarantine;
}

/// <summary>What happens to a value that does not fit its column's type ("abc" among numbers, "maybe" among
/// yes/no values): its row is set aside in quarantine.csv (the default), or the value becomes missing, is
/// imputed like any missing value, and is counted per column.</summary>
public enum BadValueHandling { Quarantine, Missing }
