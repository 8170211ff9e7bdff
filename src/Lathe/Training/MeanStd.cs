namespace Lathe.Training;

/// <summary>A metric over the folds: its mean and sample standard deviation.</summary>
public sealed record MeanStd(double Mean, double Std);
