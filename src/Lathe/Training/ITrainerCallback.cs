namespace Lathe.Training;

/// <summary>Code that runs at named moments of training (early stopping, checkpoints, logging). The
/// <see cref="Trainer"/> owns the loop and knows nothing of what callbacks do.</summary>
public interface ITrainerCallback
{
    void OnFitStart(TrainerState state) { }
    void OnEpochEnd(TrainerState state) { }
    void OnFitEnd(TrainerState state) { }
}
