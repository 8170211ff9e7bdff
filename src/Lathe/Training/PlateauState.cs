namespace Lathe.Training;

/// <summary>Reduce-on-plateau's state: the current rate, the best validation metric (NaN before the first) and its epoch.</summary>
public sealed record PlateauState(double Rate, double Best, int BestEpoch);
