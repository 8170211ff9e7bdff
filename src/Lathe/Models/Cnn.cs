using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A small CNN for images: per block a 3×3 convolution, batch norm, ReLU and 2×2 max pooling;
/// then a dense layer with dropout and a linear head.</summary>
public sealed class Cnn : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> features;
    private readonly nn.Module<Tensor, Tensor> classifier;

    public Cnn(long[] inputShape, IReadOnlyList<int> channels, int dense, double dropout, int outputs) : base("cnn")
    {
        var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
        long inChannels = inputShape[0], height = inputShape[1], width = inputShape[2];
        for (var i = 0; i < channels.Count; i++)
        {
            blocks.Add(($"conv{i}", nn.Conv2d(inChannels, channels[i], kernel_size: 3, padding: 1, bias: false)));
            blocks.Add(($"norm{i}", nn.BatchNorm2d(channels[i])));
            blocks.Add(($"relu{i}", nn.ReLU()));
            blocks.Add(($"pool{i}", nn.MaxPool2d(kernel_size: 2)));
            inChannels = channels[i];
            height /= 2;
            width /= 2;
        }
        features = nn.Sequential(blocks);

        var head = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("flatten", nn.Flatten()),
            ("dense", nn.Linear(inChannels * height * width, dense)),
            ("relu", nn.ReLU()),
        };
        if (dropout > 0) head.Add(("dropout", nn.Dropout(dropout)));
        head.Add(("head", nn.Linear(dense, outputs)));
        classifier = nn.Sequential(head);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => classifier.forward(features.forward(input));
}
