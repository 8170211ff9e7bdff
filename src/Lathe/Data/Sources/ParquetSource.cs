using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace Lathe.Data.Sources;

/// <summary>Reads a Parquet file, row group by row group, straight into columns: numbers (every integer,
/// float and decimal type) as numbers, booleans as 0/1, dates and timestamps as ISO text, strings as text.</summary>
public sealed class ParquetSource(string path) : IDataSource
{
    public string Name => path;
    public IReadOnlyList<string> Files => [path];

    public Table Read(CancellationToken cancellationToken = default) => ReadAsync(cancellationToken).GetAwaiter().GetResult();

    private async Task<Table> ReadAsync(CancellationToken cancellationToken)
    {
        var reader = Open(cancellationToken);
        await using (reader)
        {
            var fields = Fields(reader);
            long total = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                total += group.RowCount;
            }
            var columns = fields.Select(f => new ColumnAccumulator(f.Path.ToString(), (int)Math.Min(total, Array.MaxLength))).ToArray();
            var images = new List<byte[]>?[fields.Length];
            // A column Lathe cannot read is named before any reading, the first one as a plain loop would.
            foreach (var field in fields)
                if (!IsBinary(field) && !Readable.Contains(Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType))
                    throw new DataException($"{path}: column '{field.Path}' has type {(Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType).Name}, which Lathe cannot read yet — list it in data.exclude or convert it");
            // Parquet.Net reads one column chunk at a time, on this thread: concurrent readers of one file were seen
            // to return wrong values. What Lathe does with each chunk (numbers to double, dates to text) runs on the
            // other cores meanwhile, in order per column.
            var pending = fields.Select(_ => Task.CompletedTask).ToArray();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var rows = checked((int)group.RowCount);
                for (var c = 0; c < fields.Length; c++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (IsBinary(fields[c]))
                    {
                        var blobs = new byte[]?[rows];
                        await group.ReadAsync(fields[c], blobs.AsMemory(), null, cancellationToken);
                        (images[c] ??= []).AddRange(blobs.Select(b => b ?? []));
                    }
                    else if (await ReadColumn(group, fields[c], rows, columns[c], cancellationToken) is { } add)
                        pending[c] = pending[c].ContinueWith(_ => add(), cancellationToken, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                }
            }
            await Task.WhenAll(pending);
            return new Table(columns.Select((c, i) => images[i] is { } blobs ? Image(c.Name, blobs, reader.CustomMetadata) : c.ToColumn()).ToArray(), Path.GetFileName(path));
        }
    }

    private static readonly HashSet<Type> Readable =
    [
        typeof(double), typeof(float), typeof(long), typeof(int), typeof(short), typeof(sbyte), typeof(byte), typeof(ushort), typeof(uint),
        typeof(ulong), typeof(decimal), typeof(bool), typeof(DateTime), typeof(string), typeof(ReadOnlyMemory<char>),
    ];

    /// <summary>Row group by row group, one column after another; a row group larger than <paramref name="rows"/>
    /// is read whole, then handed on in slices.</summary>
    public IEnumerable<Table> ReadBatches(int rows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var reader = Open(cancellationToken);
        try
        {
            var fields = Fields(reader);
            var offset = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var table = ReadGroup(reader, fields, g, offset, cancellationToken).GetAwaiter().GetResult();
                offset += table.RowCount;
                if (table.RowCount <= rows) yield return table;
                else
                    for (var from = 0; from < table.RowCount; from += rows)
                    {
                        var slice = Enumerable.Range(from, Math.Min(rows, table.RowCount - from)).ToArray();
                        yield return table.Gather(slice);
                    }
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The rows of every row group, from the file's footer.</summary>
    public long? CountRows(CancellationToken cancellationToken = default)
    {
        var reader = Open(cancellationToken);
        try
        {
            long rows = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                rows += group.RowCount;
            }
            return rows;
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private ParquetReader Open(CancellationToken cancellationToken)
    {
        try
        {
            return ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException)
        {
            throw new DataException($"{path}: not a readable Parquet file ({e.Message})");
        }
    }

    private DataField[] Fields(ParquetReader reader)
    {
        var fields = reader.Schema.GetDataFields();
        foreach (var field in fields)
            if (field.IsArray || field.MaxRepetitionLevel > 0)
                throw new DataException($"{path}: column '{field.Path}' holds lists; Lathe reads flat columns — write it as one column per item");
        return fields;
    }

    /// <summary>Row group <paramref name="g"/> as a table whose rows are numbered as records from <paramref name="offset"/> + 1.</summary>
    private async Task<Table> ReadGroup(ParquetReader reader, DataField[] fields, int g, int offset, CancellationToken cancellationToken)
    {
        using var group = reader.OpenRowGroupReader(g);
        var rows = checked((int)group.RowCount);
        var columns = new Column[fields.Length];
        for (var c = 0; c < fields.Length; c++)
        {
            var name = fields[c].Path.ToString();
            if (IsBinary(fields[c]))
            {
                var blobs = new byte[]?[rows];
                await group.ReadAsync(fields[c], blobs.AsMemory(), null, cancellationToken);
                columns[c] = Image(name, blobs.Select(b => b ?? []).ToList(), reader.CustomMetadata);
                continue;
            }
            var column = new ColumnAccumulator(name, rows);
            (await ReadColumn(group, fields[c], rows, column, cancellationToken))?.Invoke();
            columns[c] = column.ToColumn();
        }
        var lines = new int[rows];
        for (var i = 0; i < rows; i++) lines[i] = offset + i + 1;
        return new Table(columns, Path.GetFileName(path), lines, rowUnit: "record");
    }

    private static bool IsBinary(DataField field) =>
        (Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType) is var t && (t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>));

    /// <summary>The file metadata key under which <c>lathe prepare</c> records an image column's [channels, height, width].</summary>
    public static string ImageShapeKey(string column) => $"lathe.image_shape.{column}";

    /// <summary>A binary column of raw pixels, as <c>lathe prepare</c> writes images: every value the same
    /// length, channel-first, of the shape the file's metadata records — or, without it, a square (grayscale)
    /// or three squares (RGB).</summary>
    private Column Image(string name, List<byte[]> blobs, IReadOnlyDictionary<string, string> metadata)
    {
        var length = blobs.Count == 0 ? 0 : blobs[0].Length;
        if (length == 0 || blobs.Any(b => b.Length != length))
            throw new DataException($"{path}: column '{name}' holds bytes of varying length; Lathe reads binary columns only as raw images of one size");
        if (metadata.TryGetValue(ImageShapeKey(name), out var recorded))
        {
            var shape = recorded.Split(',').Select(s => int.TryParse(s, out var v) ? v : 0).ToArray();
            if (shape.Length != 3 || shape.Any(v => v <= 0) || shape[0] * shape[1] * shape[2] != length)
                throw new DataException($"{path}: column '{name}' holds {length} bytes per row, but the file records the shape {recorded}");
            return new ImageColumn(name, blobs.SelectMany(b => b).ToArray(), shape[0], shape[1], shape[2]);
        }
        var channels = IsSquare(length) ? 1 : length % 3 == 0 && IsSquare(length / 3) ? 3 : 0;
        if (channels == 0)
            throw new DataException($"{path}: column '{name}' holds {length} bytes per row, which is not a square grayscale or RGB image");
        var side = (int)Math.Round(Math.Sqrt(length / channels));
        return new ImageColumn(name, blobs.SelectMany(b => b).ToArray(), channels, side, side);
    }

    private static bool IsSquare(int n) => (int)Math.Round(Math.Sqrt(n)) is var r && r * r == n;

    /// <summary>Reads one column chunk. Returns the work of adding it to the column when that can wait (the values
    /// are Lathe's own arrays), or null when it was done at once (characters that point into the reader's buffers).</summary>
    private async Task<Action?> ReadColumn(ParquetRowGroupReader group, DataField field, int rows, ColumnAccumulator column, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        switch (type)
        {
            case var t when t == typeof(double): return await Numbers<double>();
            case var t when t == typeof(float): return await Numbers<float>();
            case var t when t == typeof(long): return await Numbers<long>();
            case var t when t == typeof(int): return await Numbers<int>();
            case var t when t == typeof(short): return await Numbers<short>();
            case var t when t == typeof(sbyte): return await Numbers<sbyte>();
            case var t when t == typeof(byte): return await Numbers<byte>();
            case var t when t == typeof(ushort): return await Numbers<ushort>();
            case var t when t == typeof(uint): return await Numbers<uint>();
            case var t when t == typeof(ulong): return await Numbers<ulong>();
            case var t when t == typeof(decimal): return await Numbers<decimal>();
            case var t when t == typeof(bool):
                var flags = await ReadValues<bool>(group, field, rows, cancellationToken);
                return () =>
                {
                    foreach (var f in flags) column.AddNumber(f is { } b ? (b ? 1 : 0) : null);
                };
            case var t when t == typeof(DateTime):
                var dates = await ReadValues<DateTime>(group, field, rows, cancellationToken);
                return () =>
                {
                    foreach (var d in dates) column.AddDate(d);
                };
            case var t when t == typeof(string) || t == typeof(ReadOnlyMemory<char>):
                var texts = new string?[rows];
                await group.ReadAsync(field, texts.AsMemory(), null, cancellationToken);
                return () =>
                {
                    foreach (var s in texts) column.AddText(s);
                };
            default:
                throw new DataException($"{path}: column '{field.Path}' has type {type.Name}, which Lathe cannot read yet — list it in data.exclude or convert it");
        }

        async Task<Action?> Numbers<T>() where T : struct, INumberBase<T>
        {
            var values = await ReadValues<T>(group, field, rows, cancellationToken);
            return () => column.AddNumbers<T>(values);
        }
    }

    /// <summary>A column's values, null where missing. A required (non-nullable) column is read into a buffer
    /// without nulls: Parquet.Net 6.1 reads one into a nullable buffer through definition levels taken from a shared
    /// pool and never set, so that whatever the pool held could make values null and shift the rest after them.</summary>
    private static async Task<T?[]> ReadValues<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken) where T : struct
    {
        var values = new T?[rows];
        if (field.IsNullable)
        {
            await group.ReadAsync(field, values.AsMemory(), null, cancellationToken);
            return values;
        }
        var required = new T[rows];
        await group.ReadAsync(field, required.AsMemory(), null, cancellationToken);
        for (var i = 0; i < rows; i++) values[i] = required[i];
        return values;
    }
}
