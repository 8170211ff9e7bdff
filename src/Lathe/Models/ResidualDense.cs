using Lathe.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>One hidden layer of a residual MLP: <c>x + f(x)</c>, where f is Linear → norm → activation → dropout,
/// and x goes through a bias-free linear projection when the layer changes the width.</summary>
public sealed class ResidualDense : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> body;
    private readonly nn.Module<Tensor, Tensor>? projection;

    public ResidualDense(long inputs, long outputs, NormKind norm, ActivationKind activation, double dropout) : base("residual_dense")
    {
        body = nn.Sequential(Mlp.Layer(inputs, outputs, norm, activation, dropout));
        if (inputs != outputs) projection = nn.Linear(inputs, outputs, hasBias: false);
        RegisterComponents();
    }

    /// <summary>f's modules in order, and the shortcut's projection (null where the width stays), for <see cref="HandlePass"/>.</summary>
    internal nn.Module<Tensor, Tensor> Body => body;
    internal TorchSharp.Modules.Linear? Projection => projection as TorchSharp.Modules.Linear;

    public override Tensor forward(Tensor input)
    {
        using var shortcut = projection is null ? input.alias() : projection.forward(input);
        return body.forward(input).add_(shortcut, Scalars.One);
    }
}
