namespace Lathe.Evaluation;

/// <summary>One label of a multilabel target: its decisions at the threshold and their scores.</summary>
public sealed record LabelScore(long TruePositive, long FalsePositive, long FalseNegative, long Support, double Precision, double Recall, double F1, double? RocAuc);
