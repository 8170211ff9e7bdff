namespace Lathe.Training;

/// <summary>Code that runs at named moments of training (early stopping, checkpoints, logging). The
/// <see cref="Trainer"/> owns the loop and knows nothing of what callbacks do.</summary>
public interface ITrainerCallback
{
    void OnFitStart(TrainerState state) { }
    /// <summary>After each optimiser step, once the state says where training stands.</summary>
    void OnBatchEnd(TrainerState state) { }
    void OnEpochEnd(TrainerState state) { }
    void OnFitEnd(TrainerState state) { }
    /// <summary>Training is ending early: a callback or the loop threw, or the run was cancelled (then at a batch
    /// boundary). Called once per callback; the exception goes on to the caller afterwards.</summary>
    void OnException(TrainerState state, Exception exception) { }
}
