namespace Lathe.Config;

/// <summary>Normalisation of each hidden layer's output, before its activation: none, batch norm or layer norm.</summary>
public enum NormKind { None, Batch, Layer }
