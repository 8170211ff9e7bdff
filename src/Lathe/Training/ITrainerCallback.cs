namespace Lathe.Training;

/// <summary>Code that runs at named moments of training (early stopping, checkpoints, logging). The
/// <see cref="Trainer"/> owns the loop and knows nothing of what callbacks do.</summary>
public interface ITrainerCallback
{
    void OnFitStart(TrainerState state) { }
    /// <summary>Before an epoch's first batch: <c>state.Epoch</c> is the last finished epoch, and a resumed epoch
    /// starts at <c>state.Batch</c>.</summary>
    void OnEpochStart(TrainerState state) { }
    /// <summary>Before each batch's forward pass: <c>state.Step</c> is the last finished step. Nothing of the step has
    /// run yet, so a checkpoint written here (on an exception) resumes bit for bit.</summary>
    void OnBatchStart(TrainerState state) { }
    /// <summary>After each optimiser step, once the state says where training stands.</summary>
    void OnBatchEnd(TrainerState state) { }
    void OnEpochEnd(TrainerState state) { }
    void OnFitEnd(TrainerState state) { }
    /// <summary>Training is ending early: a callback or the loop threw, or the run was cancelled (then at a batch
    /// boundary). Called once per callback; the exception goes on to the caller afterwards.</summary>
    void OnException(TrainerState state, Exception exception) { }
}
