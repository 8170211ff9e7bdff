namespace Lathe.Training;

/// <summary>Writes <c>checkpoints/last.ckpt</c> every <paramref name="everySteps"/> steps (0: never mid-epoch), at every
/// epoch's end and when training ends early (an exception or a cancellation), and <c>checkpoints/best.safetensors</c>
/// whenever <paramref name="earlyStopping"/> keeps a new best epoch. Temporary files a killed writer left are removed at the start.</summary>
public sealed class ModelCheckpoint(string runDirectory, int everySteps, EarlyStopping? earlyStopping, string configHash, string dataFingerprint)
    : ITrainerCallback
{
    public string Folder { get; } = Path.Combine(runDirectory, Checkpoint.Folder);
    private (long Step, int Epoch) _saved = (-1, -1);

    public void OnFitStart(TrainerState state) => AtomicFile.RemoveStale(Folder);

    public void OnBatchEnd(TrainerState state)
    {
        if (everySteps > 0 && state.Step % everySteps == 0) Save(state);
    }

    public void OnEpochEnd(TrainerState state)
    {
        Save(state);
        if (earlyStopping?.BestEpoch == state.Epoch && earlyStopping.BestWeights is { } best)
            AtomicFile.WriteAllBytes(Path.Combine(Folder, Checkpoint.BestFile), Bundles.SafeTensors.Write(best));
    }

    /// <summary>Saves where training stands, unless the last checkpoint already holds it (after the epoch's end
    /// was saved, early stopping may have put the best weights back into the model).</summary>
    public void OnException(TrainerState state, Exception exception)
    {
        if (_saved != (state.Step, state.Epoch)) Save(state);
    }

    private void Save(TrainerState state)
    {
        Checkpoint.Capture(state, earlyStopping, configHash, dataFingerprint).Save(runDirectory);
        _saved = (state.Step, state.Epoch);
    }
}
