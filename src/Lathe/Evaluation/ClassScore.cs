namespace Lathe.Evaluation;

/// <summary>One class's row of the per-class table: precision, recall and F1, with how many rows truly are the
/// class (support) and how many were predicted as it.</summary>
public sealed record ClassScore(double Precision, double Recall, double F1, long Support, long Predicted);
