namespace Lathe.Evaluation;

/// <summary>One bin of a reliability diagram: the predictions whose confidence fell in [From, To), how
/// confident they were on average, and how often they were right.</summary>
public sealed record ReliabilityBin(double From, double To, long Count, double Confidence, double Accuracy);
