namespace Lathe.Data.Pipeline;

/// <summary>A text column in an <see cref="InputLayout"/>: its name, its fixed number of token ids per row, and the
/// size of its tokenizer's vocabulary (padding and unknown included).</summary>
public sealed record TextInput(string Name, int Length, int Vocabulary);
