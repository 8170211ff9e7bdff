namespace Lathe.Config;

/// <summary>What the model predicts: a class (classification) or a number (regression).</summary>
public enum TaskKind { Auto, Classification, Regression }
