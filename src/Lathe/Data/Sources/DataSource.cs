using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Lathe.Config;

namespace Lathe.Data.Sources;

/// <summary>Opens the right <see cref="IDataSource"/> for a file, from its format or its name, or for a database.</summary>
public static class DataSource
{
    public static IDataSource Open(string path, DataFormat format = DataFormat.Auto, string? labels = null,
        TextEncoding encoding = TextEncoding.Auto, double quarantineLimit = 0.01, string? query = null, IReadOnlyList<int>? imageSize = null,
        CsvLayout? layout = null)
    {
        if (format == DataFormat.Postgres)
            throw new DataException("a PostgreSQL table is read from data.connection and data.query, not from a path");
        if (Directory.Exists(path)) return new ImageFolderSource(path, imageSize);
        if (!File.Exists(path))
            throw new DataException($"data file '{path}' does not exist — check data.path (relative paths are relative to the config file)");
        if (labels is not null && !File.Exists(labels))
            throw new DataException($"labels file '{labels}' does not exist — check data.labels");
        var resolved = format == DataFormat.Auto ? Detect(path) : format;
        if (layout is not null && Refused(layout, resolved) is var (keys, many) && keys is not null)
        {
            var (are, them) = many ? ("are", "them") : ("is", "it");
            throw new DataException(resolved switch
            {
                DataFormat.Excel => $"{path}: {keys} {are} for CSV and TSV files; an Excel sheet is read as it is stored — remove {them}",
                DataFormat.Csv or DataFormat.Tsv => $"{path}: {keys} is for Excel workbooks — remove it",
                _ => $"{path}: {keys} {are} for CSV and TSV files and Excel sheets, not {ConfigNames.Of(resolved)} — remove {them}",
            });
        }
        if (CompressedFile.IsCompressed(path) && resolved is not (DataFormat.Csv or DataFormat.Tsv or DataFormat.Json or DataFormat.Jsonl)
            && !(resolved == DataFormat.Idx && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)))
            throw new DataException($"{path}: compressed {ConfigNames.Of(resolved)} is not read (CSV, TSV, JSON and JSON Lines are, gzipped or zipped; IDX gzipped) — decompress it first");
        if (resolved != DataFormat.Idx && labels is not null)
            throw new DataException($"{path}: a labels file is only used with IDX data — remove data.labels, or set format: idx");
        return resolved switch
        {
            DataFormat.Csv => new CsvSource(path, layout, encoding, quarantineLimit),
            DataFormat.Tsv => new CsvSource(path, layout is null || layout.Delimiter == CsvLayout.Auto ? (layout ?? CsvLayout.Detect) with { Delimiter = CsvLayout.Tab } : layout, encoding, quarantineLimit),
            DataFormat.Json => new JsonSource(path),
            DataFormat.Jsonl => new JsonSource(path, lines: true),
            DataFormat.Parquet => new ParquetSource(path),
            DataFormat.Arrow => new ArrowSource(path),
            DataFormat.Idx => new IdxSource(path, labels),
            DataFormat.Excel => new ExcelSource(path, layout, quarantineLimit),
            DataFormat.Sqlite => new SqliteSource(path, query),
            _ => throw new DataException($"{path}: unknown format"),
        };
    }

    public static IDataSource Open(DataConfig data) => data.Connection is not null || data.Format == DataFormat.Postgres
        ? new PostgresSource(
            data.Connection ?? throw new DataException("a PostgreSQL source needs data.connection, e.g. Host=localhost;Database=shop;Username=lathe"),
            data.Query ?? throw new DataException("a PostgreSQL source needs data.query, the SQL whose result is the table"),
            data.PasswordFile)
        : Open(data.Path, data.Format, data.Labels, data.Encoding, data.QuarantineLimit, data.Query, data.ImageSize, data.Layout);

    /// <summary>The layout keys set in <paramref name="layout"/> that <paramref name="format"/> does not take, named as in a
    /// config (null when there are none), and whether they are several.</summary>
    private static (string? Keys, bool Many) Refused(CsvLayout layout, DataFormat format)
    {
        var given = new List<string>();
        var text = format is DataFormat.Csv or DataFormat.Tsv;
        var sheet = format == DataFormat.Excel;
        if (!text && layout.Delimiter != CsvLayout.Auto) given.Add("data.delimiter");
        if (!text && !sheet && layout.SkipRows is not null) given.Add("data.skip_rows");
        if (!text && !sheet && layout.Header != HeaderRow.Auto) given.Add("data.header");
        if (!text && layout.Decimal != DecimalMark.Auto) given.Add("data.decimal");
        if (!text && !sheet && layout.Dates != DateOrder.Auto) given.Add("data.dates");
        if (!sheet && layout.Sheet is not null) given.Add("data.sheet");
        return (given.Count == 0 ? null : given.Count == 1 ? given[0] : $"{string.Join(", ", given[..^1])} and {given[^1]}", given.Count > 1);
    }

    /// <summary>Whether <paramref name="path"/> names, by its name, a file a <see cref="CsvLayout"/> applies to: CSV, TSV or an Excel workbook.</summary>
    public static bool TakesLayout(string path)
    {
        if (Directory.Exists(path)) return false;
        try
        {
            return Detect(path) is DataFormat.Csv or DataFormat.Tsv or DataFormat.Excel;
        }
        catch (DataException)
        {
            return false;
        }
    }

    public static DataFormat Detect(string path)
    {
        var name = CompressedFile.InnerName(path).ToLowerInvariant();
        // .dat and .data: delimited text as instruments, loggers and the UCI repository write it (a binary one is refused).
        if (name.EndsWith(".csv") || name.EndsWith(".txt") || name.EndsWith(".dat") || name.EndsWith(".data")) return DataFormat.Csv;
        if (name.EndsWith(".tsv") || name.EndsWith(".tab")) return DataFormat.Tsv;
        if (name.EndsWith(".json")) return DataFormat.Json;
        if (name.EndsWith(".jsonl") || name.EndsWith(".ndjson")) return DataFormat.Jsonl;
        if (name.EndsWith(".parquet") || name.EndsWith(".pq")) return DataFormat.Parquet;
        if (name.EndsWith(".arrow") || name.EndsWith(".feather") || name.EndsWith(".ipc")) return DataFormat.Arrow;
        if (name.EndsWith(".db") || name.EndsWith(".sqlite") || name.EndsWith(".sqlite3")) return DataFormat.Sqlite;
        if (name.EndsWith(".xlsx") || name.EndsWith(".xlsm") || name.EndsWith(".xls")) return DataFormat.Excel;
        if (name.Contains("-idx") || name.Contains(".idx") || name.EndsWith("ubyte")) return DataFormat.Idx;
        throw new DataException($"{path}: cannot tell the format from the file name — set data.format to csv, tsv, json, jsonl, parquet, arrow, idx, sqlite or excel (a PostgreSQL database is data.connection)");
    }

    /// <summary>The training data's fingerprint: a SHA-256 over the bytes of every file read, and for a query
    /// (whose source has no files) over the rows it returned — each column's name and its values in the order
    /// read, so a changed value, row or row order changes it.</summary>
    public static string Fingerprint(IEnumerable<(IDataSource Source, Table Read)> reads)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        foreach (var (source, table) in reads)
        {
            if (source.Files.Count == 0) AppendRows(hash, table);
            foreach (var file in source.Files)
            {
                using var stream = File.OpenRead(file);
                int read;
                while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
            }
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendRows(IncrementalHash hash, Table table)
    {
        var length = new byte[sizeof(int)];
        var text = new byte[256];
        void Append(string? value)
        {
            // A length before every value (-1 for missing), so that no two different tables hash alike.
            BinaryPrimitives.WriteInt32LittleEndian(length, value is null ? -1 : Encoding.UTF8.GetByteCount(value));
            hash.AppendData(length);
            if (value is null) return;
            if (value.Length * 3 > text.Length) text = new byte[Math.Max(value.Length * 3, text.Length * 2)];
            hash.AppendData(text, 0, Encoding.UTF8.GetBytes(value, text));
        }

        Append(table.RowCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var column in table.Columns)
        {
            Append(column.Name);
            switch (column)
            {
                case NumericColumn numbers:
                    Append("numbers");
                    hash.AppendData(MemoryMarshal.AsBytes(numbers.Values.AsSpan()));
                    break;
                case StringColumn texts:
                    Append("text");
                    foreach (var value in texts.Values) Append(value);
                    break;
                case ImageColumn images:
                    Append("images");
                    hash.AppendData(images.Pixels);
                    break;
            }
        }
    }
}
