namespace Lathe.Training;

/// <summary>Reduce-on-plateau's state: the current rate, the best watched value (the validation loss or metric; NaN before
/// the first), its epoch, and that epoch's validation loss (what breaks a tie in the metric).</summary>
public sealed record PlateauState(double Rate, double Best, int BestEpoch, double BestLoss);
