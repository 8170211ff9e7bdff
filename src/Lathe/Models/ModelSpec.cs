using Lathe.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>Everything needed to rebuild a network before its weights are loaded: the resolved
/// architecture and the sizes of its input and output. Saved in the bundle as <c>model.json</c>; a
/// <c>model.json</c> without the later options (earlier bundles) gets their defaults, which are the earlier nets; one
/// with an option this Lathe does not know (a later bundle) is refused rather than rebuilt without it.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ModelSpec(ModelKind Kind, long[] InputShape, int Outputs, IReadOnlyList<int> Layers, IReadOnlyList<int> Channels, int Dense, double Dropout)
{
    /// <summary>Resolves <c>model: auto</c> from the input: images get the CNN, tables the MLP.</summary>
    public static ModelSpec Resolve(ModelConfig config, long[] inputShape, int outputs)
    {
        var kind = config.Kind;
        if (kind == ModelKind.Auto) kind = inputShape.Length == 3 ? ModelKind.Cnn : ModelKind.Mlp;
        var image = kind is ModelKind.Cnn or ModelKind.Resnet;
        if (image && inputShape.Length != 3)
            throw new LatheException($"model.kind is {ConfigNames.Of(kind)}, but the data has no image column — use mlp (or auto) for tables");
        if (kind == ModelKind.Mlp && inputShape.Length != 1)
            throw new LatheException("model.kind is mlp, but the data is images — use cnn, resnet (or auto) for images");
        var smallest = image ? Math.Min(inputShape[1], inputShape[2]) : 0;
        if (kind == ModelKind.Cnn && Cnn.Side(smallest, config.Channels.Count, config.Kernel, config.Stride, config.Padding, config.Pooling) < 1)
            throw new LatheException($"model.channels has {config.Channels.Count} blocks, but with kernel {config.Kernel}, stride {config.Stride}, padding {config.Padding} and {ConfigNames.Of(config.Pooling)} pooling they shrink {inputShape[1]}x{inputShape[2]} images to nothing — use fewer blocks, more padding or less downsampling");
        if (kind == ModelKind.Resnet && smallest >> ResNet.Downsamplings(config.Channels) < 1)
            throw new LatheException($"model.channels changes the channel count {ResNet.Downsamplings(config.Channels)} times, and each change halves the image, but {inputShape[1]}x{inputShape[2]} images allow at most {(int)Math.Log2(smallest)} — use fewer changes");
        return new ModelSpec(kind, inputShape, outputs, config.Layers, config.Channels, config.Dense, config.Dropout)
        {
            Activation = config.Activation,
            Norm = config.Norm,
            Residual = config.Residual,
            Kernel = config.Kernel,
            Stride = config.Stride,
            Padding = config.Padding,
            Pooling = config.Pooling,
            BatchNorm = config.BatchNorm,
        };
    }

    /// <summary>MLP: the activation after each hidden layer.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.Relu;

    /// <summary>MLP: the normalisation of each hidden layer.</summary>
    public NormKind Norm { get; init; } = NormKind.None;

    /// <summary>MLP: residual connections around each hidden layer.</summary>
    public bool Residual { get; init; }

    /// <summary>CNN and resnet: the convolution kernel's side.</summary>
    public int Kernel { get; init; } = 3;

    /// <summary>CNN: the convolution stride.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>CNN: the zero padding of each convolution.</summary>
    public int Padding { get; init; } = 1;

    /// <summary>CNN: the pooling that ends each block.</summary>
    public PoolingKind Pooling { get; init; } = PoolingKind.Max;

    /// <summary>CNN and resnet: batch norm after each convolution.</summary>
    public bool BatchNorm { get; init; } = true;

    /// <summary>A new network with this architecture and fresh weights from the global generator. The caller owns it.</summary>
    public nn.Module<Tensor, Tensor> Build() => Kind switch
    {
        ModelKind.Mlp => new Mlp(InputShape[0], Layers, Dropout, Outputs, Activation, Norm, Residual),
        ModelKind.Cnn => new Cnn(InputShape, Channels, Dense, Dropout, Outputs, Kernel, Stride, Padding, Pooling, BatchNorm),
        ModelKind.Resnet => new ResNet(InputShape[0], Channels, Dropout, Outputs, Kernel, BatchNorm),
        _ => throw new InvalidOperationException($"model kind {Kind} is not resolved"),
    };
}
