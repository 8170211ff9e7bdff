namespace Lathe.Config;

/// <summary>The training loss; <c>Auto</c> is cross-entropy for classification and MSE for regression.</summary>
public enum LossKind { Auto, CrossEntropy, Mse }
