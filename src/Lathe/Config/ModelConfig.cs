namespace Lathe.Config;

/// <summary>The network: an MLP (<see cref="Layers"/>), the embedding network for tables and the text encoders (embeddings
/// and a sequence encoder, then <see cref="Layers"/>), a CNN (<see cref="Channels"/> then <see cref="Dense"/>) or a
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
    /// <summary>mlp and tabular: the members of a parameter-efficient ensemble (TabM): the hidden layers' weights are
    /// shared, each member has its own scaling of every layer's inputs and outputs, its own biases and its own head; they
    /// learn on the mean of their losses and predict the mean of their probabilities (values). 0 or 1: one network.</summary>
    public int Ensemble { get; init; }
    /// <summary>Tables with piecewise-linear bins: values each number's bins are embedded into, through a linear layer
    /// and ReLU of its own, before the hidden layers (Gorishniy et al. 2022); 0 feeds the bins straight in.</summary>
    public int NumberEmbedding { get; init; }
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
    /// <summary>Tabular and the text kinds: the embedding width of every categorical column; 0 picks it per column
    /// from its number of categories n as fastai does, min(600, round(1.6 · n^0.56)).</summary>
    public int CategoryEmbedding { get; init; }
    /// <summary>Text kinds: the token embedding width (for transformer also the model width).</summary>
    public int Embedding { get; init; } = 64;
    /// <summary>lstm and gru: the hidden state width of each direction.</summary>
    public int Hidden { get; init; } = 64;
    /// <summary>Text kinds: stacked recurrent layers, or transformer encoder layers.</summary>
    public int SequenceLayers { get; init; } = 1;
    /// <summary>lstm and gru: read the text both ways.</summary>
    public bool Bidirectional { get; init; }
    /// <summary>transformer: attention heads; <see cref="Embedding"/> must be a multiple.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>transformer: the width of each layer's feed-forward part.</summary>
    public int Feedforward { get; init; } = 128;
    /// <summary>transformer: how the token outputs become one vector (lstm and gru always take the mean).</summary>
    public SequencePooling SequencePooling { get; init; } = SequencePooling.Mean;
    /// <summary>Text kinds: the most tokens per text; each column keeps the 95th percentile of its training lengths, up to this.</summary>
    public int MaxLength { get; init; } = 64;
    /// <summary>cnn and resnet over an image with text columns beside it: TF-IDF features, or a sequence encoder per
    /// text column (the text kinds' options — embedding, hidden, sequence_layers … — configure it).</summary>
    public TextEncoderKind TextEncoder { get; init; } = TextEncoderKind.Tfidf;

    /// <summary>Whether text columns become token-id sequences (<c>TextSequence</c>) rather than TF-IDF features: the text
    /// kinds, and cnn or resnet with a sequence <see cref="TextEncoder"/>.</summary>
    public bool ReadsTextAsSequences => Kind.IsSequence() || (Kind is ModelKind.Cnn or ModelKind.Resnet or ModelKind.Auto && TextEncoder != TextEncoderKind.Tfidf);
}
