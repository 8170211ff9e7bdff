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
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException)
        {
            throw new DataException($"{path}: not a readable Parquet file ({e.Message})");
        }
        await using (reader)
        {
            var fields = reader.Schema.GetDataFields();
            foreach (var field in fields)
                if (field.IsArray || field.MaxRepetitionLevel > 0)
                    throw new DataException($"{path}: column '{field.Path}' holds lists; Lathe reads flat columns — write it as one column per item");
            long total = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                total += group.RowCount;
            }
            var columns = fields.Select(f => new ColumnAccumulator(f.Path.ToString(), (int)Math.Min(total, Array.MaxLength))).ToArray();
            var images = new List<byte[]>?[fields.Length];
            // Columns are independent: each is read through its own reader, as many at once as there are cores.
            var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
            await Parallel.ForEachAsync(Enumerable.Range(0, fields.Length), parallel, async (c, token) =>
            {
                await using var own = await ParquetReader.CreateAsync(path, cancellationToken: token);
                var field = own.Schema.GetDataFields()[c];
                for (var g = 0; g < own.RowGroupCount; g++)
                {
                    using var group = own.OpenRowGroupReader(g);
                    var rows = checked((int)group.RowCount);
                    if (IsBinary(field))
                    {
                        var blobs = new byte[]?[rows];
                        await group.ReadAsync(field, blobs.AsMemory(), null, token);
                        (images[c] ??= []).AddRange(blobs.Select(b => b ?? []));
                    }
                    else await ReadColumn(group, field, rows, columns[c], token);
                }
            });
            return new Table(columns.Select((c, i) => images[i] is { } blobs ? Image(c.Name, blobs, reader.CustomMetadata) : c.ToColumn()).ToArray(), Path.GetFileName(path));
        }
    }

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
            await ReadColumn(group, fields[c], rows, column, cancellationToken);
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

    private async Task ReadColumn(ParquetRowGroupReader group, DataField field, int rows, ColumnAccumulator column, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        switch (type)
        {
            case var t when t == typeof(double): await Numbers<double>(); break;
            case var t when t == typeof(float): await Numbers<float>(); break;
            case var t when t == typeof(long): await Numbers<long>(); break;
            case var t when t == typeof(int): await Numbers<int>(); break;
            case var t when t == typeof(short): await Numbers<short>(); break;
            case var t when t == typeof(sbyte): await Numbers<sbyte>(); break;
            case var t when t == typeof(byte): await Numbers<byte>(); break;
            case var t when t == typeof(ushort): await Numbers<ushort>(); break;
            case var t when t == typeof(uint): await Numbers<uint>(); break;
            case var t when t == typeof(ulong): await Numbers<ulong>(); break;
            case var t when t == typeof(decimal): await Numbers<decimal>(); break;
            case var t when t == typeof(bool):
                var flags = new bool?[rows];
                await group.ReadAsync(field, flags.AsMemory(), null, cancellationToken);
                foreach (var f in flags) column.AddNumber(f is { } b ? (b ? 1 : 0) : null);
                break;
            case var t when t == typeof(DateTime):
                var dates = new DateTime?[rows];
                await group.ReadAsync(field, dates.AsMemory(), null, cancellationToken);
                foreach (var d in dates) column.AddDate(d);
                break;
            case var t when t == typeof(ReadOnlyMemory<char>):
                var chars = new ReadOnlyMemory<char>?[rows];
                await group.ReadAsync(field, chars.AsMemory(), null, cancellationToken);
                foreach (var s in chars) column.AddText(s);
                break;
            case var t when t == typeof(string):
                var texts = new string?[rows];
                await group.ReadAsync(field, texts.AsMemory(), null, cancellationToken);
                foreach (var s in texts) column.AddText(s);
                break;
            default:
                throw new DataException($"{path}: column '{field.Path}' has type {type.Name}, which Lathe cannot read yet — list it in data.exclude or convert it");
        }

        async Task Numbers<T>() where T : struct, INumberBase<T>
        {
            var values = new T?[rows];
            await group.ReadAsync(field, values.AsMemory(), null, cancellationToken);
            column.AddNumbers<T>(values);
        }
    }
}
