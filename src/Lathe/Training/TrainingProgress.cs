namespace Lathe.Training;

/// <summary>Progress during training: where in the run, the running training loss and the last validation metric.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, string Metric, double? ValidationMetric);
