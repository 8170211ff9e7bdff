namespace Lathe.Config;

/// <summary>The network: an MLP (<see cref="Layers"/>) or a CNN (<see cref="Channels"/> then <see cref="Dense"/>).</summary>
public sealed record ModelConfig
{
    public ModelKind Kind { get; init; } = ModelKind.Auto;
    /// <summary>MLP: the hidden layer sizes.</summary>
    public IReadOnlyList<int> Layers { get; init; } = [128, 64];
    /// <summary>CNN: output channels of each conv block (3×3 conv, batch norm, ReLU, 2×2 max pool).</summary>
    public IReadOnlyList<int> Channels { get; init; } = [32, 64];
    /// <summary>CNN: the size of the dense layer before the head.</summary>
    public int Dense { get; init; } = 128;
    public double Dropout { get; init; } = 0.1;
    /// <summary>MLP: the non-linearity after each hidden layer.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.Relu;
    /// <summary>MLP: normalisation of each hidden layer, before its activation.</summary>
    public NormKind Norm { get; init; } = NormKind.None;
    /// <summary>MLP: add each hidden layer's input to its output (through a linear projection where the widths differ).</summary>
    public bool Residual { get; init; }
}
