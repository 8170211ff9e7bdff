using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A small residual CNN for images: a stem convolution to <c>channels[0]</c>, one residual block per entry
/// of <c>channels</c> (a block that changes the channel count also halves the image), global average pooling,
/// dropout and a linear head. Global pooling makes the head independent of the image size. Built with <c>outputs: 0</c>
/// it is a body without dropout and head, whose pooled vector <see cref="Encode"/> gives (an image fused with table
/// columns, <see cref="TabularNet"/>).</summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>, IInputEncoder
{
    private readonly nn.Module<Tensor, Tensor> features;
    private readonly nn.Module<Tensor, Tensor>? classifier;

    public ResNet(long inputChannels, IReadOnlyList<int> channels, double dropout, int outputs, int kernel = 3, bool batchNorm = true) : base("resnet")
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("stem", new Conv(inputChannels, channels[0], kernel, padding: kernel / 2, bias: !batchNorm)),
        };
        if (batchNorm) layers.Add(("stem_norm", nn.BatchNorm2d(channels[0])));
        layers.Add(("stem_relu", nn.ReLU()));
        for (var i = 0; i < channels.Count; i++)
        {
            var previous = i == 0 ? channels[0] : channels[i - 1];
            layers.Add(($"block{i}", new ResidualConv(previous, channels[i], Stride(channels, i), kernel, batchNorm)));
        }
        layers.Add(("pool", nn.AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", nn.Flatten()));
        features = nn.Sequential(layers);
        Width = channels[^1];

        if (outputs > 0)
        {
            var head = new List<(string, nn.Module<Tensor, Tensor>)>();
            if (dropout > 0) head.Add(("dropout", nn.Dropout(dropout)));
            head.Add(("head", nn.Linear(channels[^1], outputs)));
            classifier = nn.Sequential(head);
        }
        RegisterComponents();
    }

    /// <summary>Block <paramref name="i"/>'s stride: 2 where the channel count changes, else 1.</summary>
    public static int Stride(IReadOnlyList<int> channels, int i) => i > 0 && channels[i] != channels[i - 1] ? 2 : 1;

    /// <summary>How many times the blocks halve the image.</summary>
    public static int Downsamplings(IReadOnlyList<int> channels) => Enumerable.Range(0, channels.Count).Count(i => Stride(channels, i) == 2);

    /// <summary>The last block's channels: the pooled vector <see cref="Encode"/> gives per image.</summary>
    public long Width { get; }

    /// <summary>The body's modules in order and the head's (null for a body alone), for <see cref="HandlePass"/>.</summary>
    internal (nn.Module<Tensor, Tensor> Features, nn.Module<Tensor, Tensor>? Classifier) Layers => (features, classifier);

    public override Tensor forward(Tensor input)
    {
        if (classifier is null) throw new InvalidOperationException("this resnet has no head; call Encode");
        using var pooled = features.forward(input);
        return classifier.forward(pooled);
    }

    public Tensor Encode(Tensor input) => features.forward(input);
}
