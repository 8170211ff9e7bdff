using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Models;

namespace Lathe.Bundles;

/// <summary><c>lathe predict</c>'s loop: a source read batch by batch, each batch predicted and appended to the
/// output, so that millions of rows are predicted in the memory of one batch. The predictions are the ones the
/// whole table would get in one call: the bundle's schema types every batch's columns
/// (<see cref="Data.Cleaning.TypeCoercion"/>), and the rows reach the network in the same
/// <see cref="Forward.BatchSize"/>-row slices, whose floating-point sums would differ if they were cut elsewhere.</summary>
public static class BatchPrediction
{
    public const int DefaultBatchRows = 65_536;

    /// <summary>The format an output file's extension names; anything else is an error naming it.</summary>
    public static PredictionFormat FormatOf(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".csv" => PredictionFormat.Csv,
            ".parquet" or ".pq" => PredictionFormat.Parquet,
            _ => throw new LatheException($"{path}: cannot tell the output format from the extension '{extension}' — name the file .csv or .parquet"),
        };
    }

    /// <summary>A writer of <paramref name="format"/> onto <paramref name="stream"/>, its columns named for
    /// <paramref name="predictor"/>'s target (<paramref name="target"/> is its name, as the manifest spells it).</summary>
    public static IPredictionWriter CreateWriter(PredictionFormat format, Stream stream, Predictor predictor, string target)
    {
        var shape = Predictor.Decode([], predictor.Target);
        return format == PredictionFormat.Parquet ? new ParquetPredictionWriter(stream, target, shape) : new CsvPredictionWriter(stream, target, shape);
    }

    /// <summary>Predicts every row of <paramref name="source"/>, read <paramref name="batchRows"/> rows at a time, into
    /// <paramref name="writer"/>; returns how many rows. A row the reader could not parse is an error naming its
    /// line, as is a value that does not fit its column's type.</summary>
    /// <param name="progress">Rows predicted so far, after each batch.</param>
    public static long Predict(Predictor predictor, IDataSource source, IPredictionWriter writer, int batchRows = DefaultBatchRows,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        if (batchRows < 1) throw new LatheException($"the batch size must be at least 1 row, not {batchRows}");
        // Rows wait here until they fill whole forward slices; only the file's last rows go through as a shorter one.
        var pending = new List<Table>();
        var pendingRows = 0;
        long done = 0;
        foreach (var batch in source.ReadBatches(batchRows, cancellationToken))
        {
            // Every row to predict must be read: a quarantined row stops the run, naming the file and the line.
            Data.Cleaning.Quarantine.RequireNone(batch);
            if (batch.RowCount == 0) continue;
            pending.Add(batch);
            pendingRows += batch.RowCount;
            if (pendingRows < Forward.BatchSize) continue;
            var rows = pending.Count == 1 ? pending[0] : Table.Concat(pending);
            var whole = rows.RowCount / Forward.BatchSize * Forward.BatchSize;
            pending.Clear();
            pendingRows = 0;
            if (whole < rows.RowCount)
            {
                pending.Add(rows.Gather(Enumerable.Range(whole, rows.RowCount - whole).ToArray()));
                pendingRows = rows.RowCount - whole;
                rows = rows.Gather(Enumerable.Range(0, whole).ToArray());
            }
            writer.Write(predictor.Predict(rows));
            done += whole;
            progress?.Report(done);
        }
        if (pendingRows > 0)
        {
            writer.Write(predictor.Predict(pending.Count == 1 ? pending[0] : Table.Concat(pending)));
            done += pendingRows;
            progress?.Report(done);
        }
        return done;
    }
}
