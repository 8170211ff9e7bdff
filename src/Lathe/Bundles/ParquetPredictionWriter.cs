using Parquet;
using Parquet.Schema;

namespace Lathe.Bundles;

/// <summary>Predictions as Parquet, one row group per batch, under the CSV's column names: for classification the
/// predicted label as text and a float32 probability per class; for regression a float64 per target; for
/// multilabel a 0/1 int32 per label, then a float32 probability per label.</summary>
public sealed class ParquetPredictionWriter : IPredictionWriter
{
    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;

    /// <param name="shape">Predictions for no rows (<see cref="Predictor.Decode"/> of nothing): they name the columns.</param>
    public ParquetPredictionWriter(Stream stream, string target, Predictions shape)
    {
        var names = shape.ColumnNames(target);
        _fields = names.Select((name, c) => new DataField(name, TypeOf(shape, c, names.Count), isNullable: false)).ToArray();
        _writer = ParquetWriter.CreateAsync(new ParquetSchema(_fields), stream).GetAwaiter().GetResult();
    }

    private static Type TypeOf(Predictions shape, int column, int columns) => shape.Task switch
    {
        Config.TaskKind.Multilabel => column < columns / 2 ? typeof(int) : typeof(float),
        _ when shape.IsLabelled => column == 0 ? typeof(string) : typeof(float),
        _ => typeof(double),
    };

    public void Write(Predictions batch) => WriteAsync(batch).GetAwaiter().GetResult();

    private async Task WriteAsync(Predictions batch)
    {
        var rows = batch.Count;
        if (rows == 0) return;
        using var group = _writer.CreateRowGroup();
        if (batch.Task == Config.TaskKind.Multilabel)
        {
            var labels = batch.Classes.Count;
            for (var l = 0; l < labels; l++)
            {
                var has = new int[rows];
                for (var i = 0; i < rows; i++) has[i] = batch.Has(i, l) ? 1 : 0;
                await group.WriteAsync<int>(_fields[l], has.AsMemory(), null);
            }
            for (var l = 0; l < labels; l++) await group.WriteAsync<float>(_fields[labels + l], Column(batch.Probabilities, l, labels, rows).AsMemory(), null);
        }
        else if (batch.IsLabelled)
        {
            await group.WriteAsync(_fields[0], batch.Labels, null);
            var classes = batch.Classes.Count;
            for (var k = 0; k < classes; k++) await group.WriteAsync<float>(_fields[1 + k], Column(batch.Probabilities, k, classes, rows).AsMemory(), null);
        }
        else
        {
            var targets = _fields.Length;
            for (var t = 0; t < targets; t++) await group.WriteAsync<double>(_fields[t], Column(batch.Values, t, targets, rows).AsMemory(), null);
        }
    }

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
