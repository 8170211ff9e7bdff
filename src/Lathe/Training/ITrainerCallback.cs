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
    /// <summary>After the batch's forward pass and loss (<c>state.StepLoss</c> is this batch's loss), before backward.
    /// A callback that implements this or <see cref="OnBeforeOptimizerStep"/> makes the Trainer keep each step's
    /// starting generator state and buffers (batch norm's running statistics), which it puts back when the step breaks
    /// off, so that a checkpoint written then resumes bit for bit.</summary>
    void OnBeforeBackward(TrainerState state) { }
    /// <summary>After backward and gradient clipping (the gradients are in the parameters), before the optimiser step.</summary>
    void OnBeforeOptimizerStep(TrainerState state) { }
    /// <summary>After each optimiser step, once the state says where training stands.</summary>
    void OnBatchEnd(TrainerState state) { }
    /// <summary>After the epoch's last step, before the validation pass.</summary>
    void OnValidationStart(TrainerState state) { }
    /// <summary>The validation pass is scored (<c>state.ValidationMetrics</c>, <c>state.ValidationLoss</c>); the epoch is
    /// not yet recorded (<c>state.Epoch</c> is still the last finished one).</summary>
    void OnValidationEnd(TrainerState state) { }
    void OnEpochEnd(TrainerState state) { }
    void OnFitEnd(TrainerState state) { }
    /// <summary>Training is ending early: a callback or the loop threw, or the run was cancelled (then at a batch
    /// boundary). Called once per callback; the exception goes on to the caller afterwards.</summary>
    void OnException(TrainerState state, Exception exception) { }
}
