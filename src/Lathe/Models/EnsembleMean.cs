namespace Lathe.Models;

/// <summary>What an ensemble's members agree on when the model predicts: the mean of their class probabilities
/// (softmax), of each label's probability (sigmoid), or of their values (regression).</summary>
public enum EnsembleMean
{
    Probabilities,
    LabelProbabilities,
    Values,
}
