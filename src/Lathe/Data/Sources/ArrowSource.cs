using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Ipc;

namespace Lathe.Data.Sources;

/// <summary>Reads an Arrow IPC file (the "file" format that starts with ARROW1, also written as
/// .feather), record batch by record batch, into columns.</summary>
public sealed class ArrowSource(string path) : IDataSource
{
    public string Name => path;
    public IReadOnlyList<string> Files => [path];

    public Table Read(CancellationToken cancellationToken = default)
    {
        using var stream = File.OpenRead(path);
        try
        {
            using var reader = new ArrowFileReader(stream);
            var schema = reader.Schema;
            var columns = schema.FieldsList.Select(f => new ColumnAccumulator(f.Name)).ToArray();
            while (reader.ReadNextRecordBatch() is { } batch)
            {
                using (batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    for (var c = 0; c < columns.Length; c++) Add(batch.Column(c), columns[c]);
                }
            }
            return new Table(columns.Select(c => c.ToColumn()).ToArray(), Path.GetFileName(path));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or OverflowException)
        {
            throw new DataException($"{path}: not a readable Arrow IPC file ({e.Message})");
        }
    }

    /// <summary>Record batch by record batch, gathered until they hold at least <paramref name="rows"/> rows
    /// (a record batch is not split).</summary>
    public IEnumerable<Table> ReadBatches(int rows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        using var stream = File.OpenRead(path);
        using var reader = Reader(stream);
        var fields = Guard(() => reader.Schema.FieldsList);
        var columns = fields.Select(f => new ColumnAccumulator(f.Name)).ToArray();
        int offset = 0, held = 0;
        while (Guard(() => reader.ReadNextRecordBatch()) is { } batch)
        {
            using (batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Guard(() =>
                {
                    for (var c = 0; c < columns.Length; c++) Add(batch.Column(c), columns[c]);
                    return 0;
                });
                held += batch.Length;
            }
            if (held < rows) continue;
            yield return Batch(columns, offset, held);
            offset += held;
            held = 0;
            columns = fields.Select(f => new ColumnAccumulator(f.Name)).ToArray();
        }
        if (held > 0 || offset == 0) yield return Batch(columns, offset, held);
    }

    private Table Batch(ColumnAccumulator[] columns, int offset, int rows)
    {
        var lines = new int[rows];
        for (var i = 0; i < rows; i++) lines[i] = offset + i + 1;
        return new Table(columns.Select(c => c.ToColumn()).ToArray(), Path.GetFileName(path), lines, rowUnit: "record");
    }

    private ArrowFileReader Reader(Stream stream) => Guard(() => new ArrowFileReader(stream));

    /// <summary>What <paramref name="read"/> returns, with a damaged file reported as a user error.</summary>
    private T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or OverflowException)
        {
            throw new DataException($"{path}: not a readable Arrow IPC file ({e.Message})");
        }
    }

    private void Add(IArrowArray array, ColumnAccumulator column)
    {
        switch (array)
        {
            case DoubleArray a: Numbers(a); break;
            case FloatArray a: Numbers(a); break;
            case Int64Array a: Numbers(a); break;
            case Int32Array a: Numbers(a); break;
            case Int16Array a: Numbers(a); break;
            case Int8Array a: Numbers(a); break;
            case UInt64Array a: Numbers(a); break;
            case UInt32Array a: Numbers(a); break;
            case UInt16Array a: Numbers(a); break;
            case UInt8Array a: Numbers(a); break;
            case BooleanArray a:
                for (var i = 0; i < a.Length; i++) column.AddNumber(a.GetValue(i) is { } b ? (b ? 1 : 0) : null);
                break;
            case StringArray a:
                for (var i = 0; i < a.Length; i++) column.AddText(a.GetString(i));
                break;
            case Date32Array a:
                for (var i = 0; i < a.Length; i++) column.AddDate(a.GetDateTime(i));
                break;
            case Date64Array a:
                for (var i = 0; i < a.Length; i++) column.AddDate(a.GetDateTime(i));
                break;
            case TimestampArray a:
                for (var i = 0; i < a.Length; i++) column.AddDate(a.GetTimestamp(i)?.UtcDateTime);
                break;
            case DictionaryArray { Dictionary: StringArray words } d:
                for (var i = 0; i < d.Length; i++) column.AddText(d.IsNull(i) ? null : words.GetString(IndexOf(d.Indices, i)));
                break;
            default:
                throw new DataException($"{path}: column '{column.Name}' has Arrow type {array.Data.DataType.Name}, which Lathe cannot read yet — convert it or leave it out");
        }

        void Numbers<T>(PrimitiveArray<T> a) where T : struct, INumberBase<T>, IEquatable<T> => column.AddNumbers(a.Values, a.IsNull);
    }

    private static int IndexOf(IArrowArray indices, int i) => indices switch
    {
        Int8Array a => a.GetValue(i) ?? 0,
        Int16Array a => a.GetValue(i) ?? 0,
        Int32Array a => a.GetValue(i) ?? 0,
        Int64Array a => (int)(a.GetValue(i) ?? 0),
        UInt8Array a => a.GetValue(i) ?? 0,
        UInt16Array a => a.GetValue(i) ?? 0,
        UInt32Array a => (int)(a.GetValue(i) ?? 0),
        _ => 0,
    };
}
