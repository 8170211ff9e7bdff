namespace Lathe.Training;

/// <summary>The training loss became NaN or infinite: the run stops before that step is taken, naming where it
/// happened; the checkpoint written on the way out holds the step before it.</summary>
public sealed class TrainingDivergedException(float loss, int epoch, int batch, long step) : LatheException(
    $"the training loss became {(float.IsNaN(loss) ? "NaN" : loss > 0 ? "+infinity" : "-infinity")} at epoch {epoch}, batch {batch} (step {step}); "
    + $"training stopped before that step, and the checkpoint holds step {step - 1}. Lower training.learning_rate, set training.clip_norm (1 or 5 are usual), "
    + "or look for extreme values in the data")
{
    public int Epoch { get; } = epoch;
    public long Step { get; } = step;
}
