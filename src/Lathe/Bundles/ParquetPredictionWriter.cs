using Parquet;
using Parquet.Schema;

namespace Lathe.Bundles;

/// <summary>Predictions as Parquet, one row group per batch, under the CSV's column names: for classification the
/// predicted label as text and a float32 probability per class; for regression a float64 per target; for
/// multilabel a 0/1 int32 per label, then a float32 probability per label. The columns are required, unless the
/// writer is made to take rows without a prediction (<c>lathe predict --bad-rows</c>): then they are optional, and
/// such a row is null in each.</summary>
public sealed class ParquetPredictionWriter : IPredictionWriter
{
    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;
    private readonly bool _optional;

    /// <param name="shape">Predictions for no rows (<see cref="Predictor.Decode"/> of nothing): they name the columns.</param>
    /// <param name="optional">Whether rows may come without a prediction (<see cref="Write"/>'s <c>absent</c>).</param>
    public ParquetPredictionWriter(Stream stream, string target, Predictions shape, bool optional = false)
    {
        _optional = optional;
        var names = shape.ColumnNames(target);
        _fields = names.Select((name, c) => new DataField(name, TypeOf(shape, c, names.Count), isNullable: optional)).ToArray();
        _writer = ParquetWriter.CreateAsync(new ParquetSchema(_fields), stream).GetAwaiter().GetResult();
    }

    private static Type TypeOf(Predictions shape, int column, int columns) => shape.Task switch
    {
        Config.TaskKind.Multilabel => column < columns / 2 ? typeof(int) : typeof(float),
        _ when shape.IsLabelled => column == 0 ? typeof(string) : typeof(float),
        _ => typeof(double),
    };

    public void Write(Predictions batch, IReadOnlyList<int>? absent = null) => WriteAsync(batch, absent ?? []).GetAwaiter().GetResult();

    private async Task WriteAsync(Predictions batch, IReadOnlyList<int> absent)
    {
        if (absent.Count > 0 && !_optional)
            throw new InvalidOperationException("rows without a prediction need a writer made with optional columns");
        var rows = batch.Count;
        if (rows + absent.Count == 0) return;
        using var group = _writer.CreateRowGroup();
        if (batch.Task == Config.TaskKind.Multilabel)
        {
            var labels = batch.Classes.Count;
            for (var l = 0; l < labels; l++)
            {
                var has = new int[rows];
                for (var i = 0; i < rows; i++) has[i] = batch.Has(i, l) ? 1 : 0;
                await WriteAsync(group, _fields[l], has, absent);
            }
            for (var l = 0; l < labels; l++) await WriteAsync(group, _fields[labels + l], Column(batch.Probabilities, l, labels, rows), absent);
        }
        else if (batch.IsLabelled)
        {
            await group.WriteAsync(_fields[0], _optional ? Spread(batch.Labels, absent) : batch.Labels, null);
            var classes = batch.Classes.Count;
            for (var k = 0; k < classes; k++) await WriteAsync(group, _fields[1 + k], Column(batch.Probabilities, k, classes, rows), absent);
        }
        else
        {
            var targets = _fields.Length;
            for (var t = 0; t < targets; t++) await WriteAsync(group, _fields[t], Column(batch.Values, t, targets, rows), absent);
        }
    }

    /// <summary>A column of numbers: as they are into a required column, spread round the absent rows' nulls into an optional one.</summary>
    private async Task WriteAsync<T>(ParquetRowGroupWriter group, DataField field, T[] values, IReadOnlyList<int> absent) where T : struct
    {
        if (_optional) await group.WriteAsync<T>(field, Spread(values, absent).AsMemory(), null);
        else await group.WriteAsync<T>(field, values.AsMemory(), null);
    }

    /// <summary>Each written row's place in the predictions, or −1 for each of the <paramref name="absent"/> positions
    /// (ascending, among <paramref name="rows"/> + <c>absent.Count</c>).</summary>
    private static int[] Places(int rows, IReadOnlyList<int> absent)
    {
        var places = new int[rows + absent.Count];
        var (next, from) = (0, 0);
        for (var i = 0; i < places.Length; i++)
        {
            if (next < absent.Count && absent[next] == i)
            {
                places[i] = -1;
                next++;
            }
            else places[i] = from++;
        }
        return places;
    }

    private static T?[] Spread<T>(T[] values, IReadOnlyList<int> absent) where T : struct =>
        Array.ConvertAll(Places(values.Length, absent), p => p < 0 ? (T?)null : values[p]);

    private static string?[] Spread(string[] values, IReadOnlyList<int> absent) =>
        Array.ConvertAll(Places(values.Length, absent), p => p < 0 ? null : values[p]);

    /// <summary>Column <paramref name="column"/> of a row-major [rows, width] buffer.</summary>
    private static T[] Column<T>(T[] values, int column, int width, int rows)
    {
        if (width == 1) return values;
        var result = new T[rows];
        for (var i = 0; i < rows; i++) result[i] = values[i * width + column];
        return result;
    }

    public void Dispose() => _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
