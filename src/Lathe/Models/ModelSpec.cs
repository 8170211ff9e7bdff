using Lathe.Config;

namespace Lathe.Models;

/// <summary>Everything needed to rebuild a network before its weights are loaded: the resolved
/// architecture and the sizes of its input and output. Saved in the bundle as <c>model.json</c>.</summary>
public sealed record ModelSpec(ModelKind Kind, long[] InputShape, int Outputs, IReadOnlyList<int> Layers, IReadOnlyList<int> Channels, int Dense, double Dropout)
{
    /// <summary>Resolves <c>model: auto</c> from the input: images get the CNN, tables the MLP.</summary>
    public static ModelSpec Resolve(ModelConfig config, long[] inputShape, int outputs)
    {
        var kind = config.Kind;
        if (kind == ModelKind.Auto) kind = inputShape.Length == 3 ? ModelKind.Cnn : ModelKind.Mlp;
        if (kind == ModelKind.Cnn && inputShape.Length != 3)
            throw new LatheException("model.kind is cnn, but the data has no image column — use mlp (or auto) for tables");
        if (kind == ModelKind.Mlp && inputShape.Length != 1)
            throw new LatheException("model.kind is mlp, but the data is images — use cnn (or auto) for images");
        if (kind == ModelKind.Cnn)
        {
            var smallest = Math.Min(inputShape[1], inputShape[2]);
            if (smallest >> config.Channels.Count < 1)
                throw new LatheException($"model.channels has {config.Channels.Count} blocks, but each halves the image and {inputShape[1]}x{inputShape[2]} images allow at most {(int)Math.Log2(smallest)} — use fewer blocks");
        }
        return new ModelSpec(kind, inputShape, outputs, config.Layers, config.Channels, config.Dense, config.Dropout)
        {
            Activation = config.Activation,
            Norm = config.Norm,
            Residual = config.Residual,
        };
    }

    /// <summary>MLP: the activation after each hidden layer. A <c>model.json</c> without it (earlier bundles) means ReLU.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.Relu;

    /// <summary>MLP: the normalisation of each hidden layer.</summary>
    public NormKind Norm { get; init; } = NormKind.None;

    /// <summary>MLP: residual connections around each hidden layer.</summary>
    public bool Residual { get; init; }

    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Build() => Kind switch
    {
        ModelKind.Mlp => new Mlp(InputShape[0], Layers, Dropout, Outputs, Activation, Norm, Residual),
        ModelKind.Cnn => new Cnn(InputShape, Channels, Dense, Dropout, Outputs),
        _ => throw new InvalidOperationException($"model kind {Kind} is not resolved"),
    };
}
