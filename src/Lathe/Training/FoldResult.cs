using Lathe.Evaluation;

namespace Lathe.Training;

/// <summary>One fold: how many rows trained it, the held-out rows (by their line in the data), its epochs and its held-out metrics.</summary>
public sealed record FoldResult(int Fold, int TrainRows, IReadOnlyList<int> HeldOutLines, int Epochs, int BestEpoch, MetricSet Metrics);
