namespace Lathe.Config;

/// <summary>The network: an MLP (<see cref="Layers"/>), a CNN (<see cref="Channels"/> then <see cref="Dense"/>) or a
/// residual CNN (<see cref="Channels"/> then global average pooling).</summary>
public sealed record ModelConfig
{
    public ModelKind Kind { get; init; } = ModelKind.Auto;
    /// <summary>MLP: the hidden layer sizes.</summary>
    public IReadOnlyList<int> Layers { get; init; } = [128, 64];
    /// <summary>CNN: output channels of each conv block (conv, batch norm, ReLU, 2×2 pool); resnet: of each residual block.</summary>
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
    /// <summary>CNN and resnet: the side of each square convolution kernel.</summary>
    public int Kernel { get; init; } = 3;
    /// <summary>CNN: the convolution stride.</summary>
    public int Stride { get; init; } = 1;
    /// <summary>CNN: zero padding on each side of the image before each convolution.</summary>
    public int Padding { get; init; } = 1;
    /// <summary>CNN: the 2×2 pooling that ends each block.</summary>
    public PoolingKind Pooling { get; init; } = PoolingKind.Max;
    /// <summary>CNN and resnet: batch norm after each convolution (the convolution then has no bias).</summary>
    public bool BatchNorm { get; init; } = true;
}
