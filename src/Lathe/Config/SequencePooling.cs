namespace Lathe.Config;

/// <summary>How a sequence encoder turns one vector per token into one per row: the mean over the real (non-padding)
/// tokens, or (transformer) the output at a learned classification token put in front of the sequence.</summary>
public enum SequencePooling { Mean, Cls }
