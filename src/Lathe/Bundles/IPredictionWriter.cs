namespace Lathe.Bundles;

/// <summary>A file of predictions written batch by batch, in the order of the rows (<c>lathe predict</c>); disposing
/// it finishes the file. A writer is handed the stream it writes, so <see cref="AtomicFile"/> decides where.</summary>
public interface IPredictionWriter : IDisposable
{
    /// <summary>Appends the predictions for the next rows. <paramref name="absent"/> (ascending) places rows without a
    /// prediction among them (rows <c>lathe predict --bad-rows</c> set aside): <c>batch.Count + absent.Count</c> rows
    /// are written, row i of them empty where i is in <paramref name="absent"/>.</summary>
    void Write(Predictions batch, IReadOnlyList<int>? absent = null);
}
