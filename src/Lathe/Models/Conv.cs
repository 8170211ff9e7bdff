using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A 2-D convolution with TorchSharp's <c>Conv2d</c> weights, initialisation and weight names, whose forward
/// calls the convolution directly. TorchSharp's own forward first checks the input through <c>Tensor.shape</c>, whose
/// pinned buffer is never released from the finalizer queue: two objects per convolution per pass, each promoted by the
/// next collection and finalized on the finalizer thread. In a serving process that made a gen0 collection take
/// milliseconds instead of a fraction of one (docs/serving.md, "Collections").</summary>
public sealed class Conv : nn.Module<Tensor, Tensor>
{
    private readonly long[] _stride, _padding, _dilation = [1, 1];
    // The names TorchSharp's Conv2d gives its parameters, so that bundles keep theirs ("conv0.weight").
    public readonly Parameter weight;
    public readonly Parameter? bias;

    public Conv(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, bool bias = true) : base("Conv2d")
    {
        // Made by TorchSharp, so the starting weights (and the random draws they take) are exactly Conv2d's.
        using var made = nn.Conv2d(inChannels, outChannels, kernel_size: kernel, stride: stride, padding: padding, bias: bias);
        weight = new Parameter(made.weight!.detach().clone());
        if (bias) this.bias = new Parameter(made.bias!.detach().clone());
        _stride = [stride, stride];
        _padding = [padding, padding];
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.conv2d(input, weight, bias, _stride, _padding, _dilation);
}
