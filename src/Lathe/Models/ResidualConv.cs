using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A basic residual block (He et al., 2016): conv → norm → ReLU → conv → norm, added to the input and
/// passed through ReLU. When the block changes the channel count or strides, the input goes through a 1×1
/// convolution (and norm) so that the two can be added.</summary>
public sealed class ResidualConv : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> body;
    private readonly nn.Module<Tensor, Tensor>? shortcut;

    public ResidualConv(long inChannels, long outChannels, int stride, int kernel, bool batchNorm) : base("residual_conv")
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv1", new Conv(inChannels, outChannels, kernel, stride, kernel / 2, bias: !batchNorm)),
        };
        if (batchNorm) layers.Add(("norm1", nn.BatchNorm2d(outChannels)));
        layers.Add(("relu1", nn.ReLU()));
        layers.Add(("conv2", new Conv(outChannels, outChannels, kernel, padding: kernel / 2, bias: !batchNorm)));
        if (batchNorm) layers.Add(("norm2", nn.BatchNorm2d(outChannels)));
        body = nn.Sequential(layers);
        if (inChannels != outChannels || stride != 1)
        {
            var projection = new List<(string, nn.Module<Tensor, Tensor>)> { ("conv", new Conv(inChannels, outChannels, 1, stride, bias: !batchNorm)) };
            if (batchNorm) projection.Add(("norm", nn.BatchNorm2d(outChannels)));
            shortcut = nn.Sequential(projection);
        }
        RegisterComponents();
    }

    /// <summary>The block's layers and its shortcut's (null where the input is added as it is), for <see cref="HandlePass"/>.</summary>
    internal nn.Module<Tensor, Tensor> Body => body;
    internal nn.Module<Tensor, Tensor>? Shortcut => shortcut;

    public override Tensor forward(Tensor input)
    {
        using var identity = shortcut is null ? input.alias() : shortcut.forward(input);
        return body.forward(input).add_(identity, Scalars.One).relu_();
    }
}
