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

    public override Tensor forward(Tensor input)
    {
        using var shortcut = projection is null ? input.alias() : projection.forward(input);
        return body.forward(input).add_(shortcut, Scalars.One);
    }
}
