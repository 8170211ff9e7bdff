namespace Lathe.Config;

/// <summary>The architecture: an MLP over one-hot features, an embedding network for tables (<c>tabular</c>: one
/// learned embedding per categorical column), a text encoder (<c>lstm</c>, <c>gru</c>, <c>transformer</c>: token ids
/// through a sequence encoder, fused with the table's other columns), or a small CNN or residual CNN (resnet) for
/// images; <c>Auto</c> chooses from the data.</summary>
public enum ModelKind { Auto, Mlp, Cnn, Resnet, Tabular, Lstm, Gru, Transformer }
