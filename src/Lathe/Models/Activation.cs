using Lathe.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>The activation module a config names.</summary>
public static class Activation
{
    public static nn.Module<Tensor, Tensor> Create(ActivationKind kind) => kind switch
    {
        ActivationKind.Relu => nn.ReLU(),
        ActivationKind.Gelu => nn.GELU(),
        ActivationKind.Silu => nn.SiLU(),
        ActivationKind.Tanh => nn.Tanh(),
        ActivationKind.LeakyRelu => nn.LeakyReLU(0.01),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
