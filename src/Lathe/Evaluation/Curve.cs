namespace Lathe.Evaluation;

/// <summary>A curve as points (ROC: false against true positive rate; precision–recall: recall against
/// precision) and the area it summarises (ROC-AUC, or average precision).</summary>
public sealed record Curve(double[] X, double[] Y, double Area);
