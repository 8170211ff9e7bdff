namespace Lathe.Data.Pipeline;

/// <summary>A categorical column in an <see cref="InputLayout"/>: its name and its number of codes, the known
/// categories plus code 0 for a category unseen in training.</summary>
public sealed record CategoricalInput(string Name, int Cardinality);
