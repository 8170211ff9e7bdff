using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A 2-D convolution with TorchSharp's <c>Conv2d</c> weights, initialisation and weight names, whose forward
/// calls the convolution directly. TorchSharp's own forward first checks the input through <c>Tensor.shape</c>, whose
/// pinned buffer is never released from the finalizer queue: two objects per convolution per pass, each promoted by the
/// next collection and finalized on the finalizer thread. In a serving process that made a gen0 collection take
/// milliseconds instead of a fraction of one (docs/serving.md, "Collections").</summary>
/// <remarks>With fewer than <see cref="SafeOutputChannels"/> output channels and more than one engine thread, the
/// engine's gradient with respect to a convolution's input (libtorch 2.10 on the CPU, through TorchSharp 0.107) comes out
/// different on every call, and sometimes NaN: 19 of 19 calls differed for 8 → 8 channels on 128 images of 28×28, 7–13
/// of them NaN, while 16, 24, 32 and 64 output channels were bit-identical every time (docs/architecture.md, "The
/// convolution gradient"). So while gradients are being recorded such a convolution runs with its weights padded by
/// zero filters to 16 outputs and keeps its own channels: the same values, and a gradient that is the same every time.
/// Inference (no gradient) runs the plain convolution.</remarks>
public sealed class Conv : nn.Module<Tensor, Tensor>
{
    /// <summary>The fewest output channels whose input gradient the engine computes reproducibly with several threads.</summary>
    public const int SafeOutputChannels = 16;

    private readonly long[] _stride, _padding, _dilation = [1, 1];
    private readonly long _outChannels;
    // Zero filters (and biases) that pad a narrow convolution to SafeOutputChannels outputs while training; null when wide enough.
    private readonly Tensor? _zeroFilters, _zeroBiases;
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
        _outChannels = outChannels;
        if (outChannels < SafeOutputChannels)
        {
            _zeroFilters = zeros(SafeOutputChannels - outChannels, inChannels, kernel, kernel).DetachFromDisposeScope();
            if (bias) _zeroBiases = zeros(SafeOutputChannels - outChannels).DetachFromDisposeScope();
        }
        RegisterComponents();
    }

    /// <summary>The stride, padding and dilation the evaluation pass gives the convolution, for <see cref="HandlePass"/>.</summary>
    internal (long[] Stride, long[] Padding, long[] Dilation) Geometry => (_stride, _padding, _dilation);

    public override Tensor forward(Tensor input)
    {
        if (_zeroFilters is null || !is_grad_enabled()) return nn.functional.conv2d(input, weight, bias, _stride, _padding, _dilation);
        using var filters = cat([weight, _zeroFilters]);
        using var biases = bias is null ? null : cat([bias, _zeroBiases!]);
        using var wide = nn.functional.conv2d(input, filters, biases, _stride, _padding, _dilation);
        using var own = wide.narrow(1, 0, _outChannels);
        return own.contiguous();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _zeroFilters?.Dispose();
            _zeroBiases?.Dispose();
        }
        base.Dispose(disposing);
    }
}
