namespace Lathe.Config;

/// <summary>What the model predicts: a class (classification), a number or several (regression), or any
/// number of yes/no labels at once (multilabel: one 0/1 column per label).</summary>
public enum TaskKind { Auto, Classification, Regression, Multilabel }
