using System.Text;

namespace Lathe.Bundles;

/// <summary>Predictions as CSV (UTF-8, no byte-order mark): the header once, then each batch's rows as
/// <see cref="Predictions.WriteCsv"/> writes them.</summary>
public sealed class CsvPredictionWriter : IPredictionWriter
{
    private readonly StreamWriter _writer;
    private readonly string _target;

    /// <param name="shape">Predictions for no rows (<see cref="Predictor.Decode"/> of nothing): they name the columns.</param>
    public CsvPredictionWriter(Stream stream, string target, Predictions shape)
    {
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        _target = target;
        shape.WriteCsv(_writer, target);
    }

    public void Write(Predictions batch, IReadOnlyList<int>? absent = null) => batch.WriteCsv(_writer, _target, header: false, absent);

    public void Dispose() => _writer.Dispose();
}
