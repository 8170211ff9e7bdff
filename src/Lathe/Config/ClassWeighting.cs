namespace Lathe.Config;

/// <summary>Class weights in the loss: <c>Auto</c> is balanced when the training part's largest class has at
/// least three times the rows of its smallest, none otherwise.</summary>
public enum ClassWeighting { Auto, None, Balanced }
