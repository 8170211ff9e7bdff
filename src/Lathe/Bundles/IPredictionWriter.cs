namespace Lathe.Bundles;

/// <summary>A file of predictions written batch by batch, in the order of the rows (<c>lathe predict</c>); disposing
/// it finishes the file. A writer is handed the stream it writes, so <see cref="AtomicFile"/> decides where.</summary>
public interface IPredictionWriter : IDisposable
{
    /// <summary>Appends the predictions for the next rows.</summary>
    void Write(Predictions batch);
}
