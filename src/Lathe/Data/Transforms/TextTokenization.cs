namespace Lathe.Data.Transforms;

/// <summary>How text becomes tokens: whole words, or BPE subwords.</summary>
public enum TextTokenization { Words, Bpe }
