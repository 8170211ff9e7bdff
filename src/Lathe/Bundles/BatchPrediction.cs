using Lathe.Data;
using Lathe.Data.Cleaning;
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
    /// <paramref name="predictor"/>'s target (<paramref name="target"/> is its name, as the manifest spells it); with
    /// <paramref name="absentRows"/>, one that takes rows without a prediction (left empty in CSV, null in Parquet).</summary>
    public static IPredictionWriter CreateWriter(PredictionFormat format, Stream stream, Predictor predictor, string target, bool absentRows = false)
    {
        var shape = Predictor.Decode([], predictor.Target);
        return format == PredictionFormat.Parquet ? new ParquetPredictionWriter(stream, target, shape, absentRows) : new CsvPredictionWriter(stream, target, shape);
    }

    /// <summary>Predicts every row of <paramref name="source"/>, read <paramref name="batchRows"/> rows at a time, into
    /// <paramref name="writer"/>; returns how many rows were predicted. Without <paramref name="setAside"/>, a row the reader
    /// could not parse is an error naming its line, as is a value that does not fit its column's type. With it, each
    /// such row is written there (its line, why, its raw text) and gets an empty row in the output, in its place, so
    /// the output still has a row per input row; the others are predicted as they would be in a file without it.</summary>
    /// <param name="progress">Rows done so far (predicted or set aside), after each batch.</param>
    public static long Predict(Predictor predictor, IDataSource source, IPredictionWriter writer, int batchRows = DefaultBatchRows,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default, QuarantineWriter? setAside = null)
    {
        if (batchRows < 1) throw new LatheException($"the batch size must be at least 1 row, not {batchRows}");
        // Rows wait here until they fill whole forward slices; only the file's last rows go through as a shorter one.
        var pending = new List<Table>();
        var pendingRows = 0;
        // Each set-aside row not yet written, as the number of predicted rows that come before it in the output.
        var gaps = new Queue<long>();
        long read = 0, done = 0;
        void Emit(Table rows)
        {
            var predictions = rows.RowCount == 0 ? Predictor.Decode([], predictor.Target) : predictor.Predict(rows);
            var absent = new List<int>();
            // A gap at predicted row g goes before it; those after the last of these rows wait for the next (or the end).
            while (gaps.TryPeek(out var g) && (g < done + rows.RowCount || (rows.RowCount == 0 && g == done)))
                absent.Add((int)(gaps.Dequeue() - done) + absent.Count);
            writer.Write(predictions, absent);
            done += rows.RowCount;
            progress?.Report(done + (setAside?.Count ?? 0));
        }
        foreach (var batch in source.ReadBatches(batchRows, cancellationToken))
        {
            var rows = batch;
            if (setAside is null)
            {
                // Every row to predict must be read: a quarantined row stops the run, naming the file and the line.
                Quarantine.RequireNone(batch);
            }
            else
            {
                var (clean, quarantined) = Quarantine.Screen(batch, predictor.Pipeline.Schema, null);
                // Set-aside rows go in line order, each before the first kept row that came after it in the file.
                var kept = 0;
                foreach (var row in quarantined.OrderBy(q => q.Line))
                {
                    while (kept < clean.RowCount && clean.LineOf(kept) < row.Line) kept++;
                    gaps.Enqueue(read + kept);
                    setAside.Write(row);
                }
                rows = clean;
            }
            read += rows.RowCount;
            if (rows.RowCount == 0) continue;
            pending.Add(rows);
            pendingRows += rows.RowCount;
            if (pendingRows < Forward.BatchSize) continue;
            var all = pending.Count == 1 ? pending[0] : Table.Concat(pending);
            var whole = all.RowCount / Forward.BatchSize * Forward.BatchSize;
            pending.Clear();
            pendingRows = 0;
            if (whole < all.RowCount)
            {
                pending.Add(all.Gather(Enumerable.Range(whole, all.RowCount - whole).ToArray()));
                pendingRows = all.RowCount - whole;
                all = all.Gather(Enumerable.Range(0, whole).ToArray());
            }
            Emit(all);
        }
        if (pendingRows > 0) Emit(pending.Count == 1 ? pending[0] : Table.Concat(pending));
        // Rows set aside after the last predicted one.
        if (gaps.Count > 0) Emit(new Table([], source.Name));
        return done;
    }
}
