using Lathe.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A multi-layer perceptron for tables: per hidden layer Linear → norm (optional) → activation → dropout,
/// optionally with a residual connection around each layer; then a linear head. Images ([rows, channels, height,
/// width]) are read as rows of their pixels.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> layers;

    public Mlp(long inputs, IReadOnlyList<int> hidden, double dropout, int outputs,
        ActivationKind activation = ActivationKind.Relu, NormKind norm = NormKind.None, bool residual = false) : base("mlp")
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var width = inputs;
        for (var i = 0; i < hidden.Count; i++)
        {
            if (residual) modules.Add(($"block{i}", new ResidualDense(width, hidden[i], norm, activation, dropout)));
            // Plain layers keep the names linear{i}, relu{i}, dropout{i} of earlier bundles' weights.
            else modules.AddRange(Layer(width, hidden[i], norm, activation, dropout).Select(m => ($"{m.Name}{i}", m.Module)));
            width = hidden[i];
        }
        modules.Add(("head", nn.Linear(width, outputs)));
        layers = nn.Sequential(modules);
        RegisterComponents();
    }

    /// <summary>One hidden layer's modules, named by their role: linear, norm, relu (any activation), dropout.</summary>
    internal static IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> Layer(long inputs, long outputs, NormKind norm, ActivationKind activation, double dropout)
    {
        yield return ("linear", nn.Linear(inputs, outputs));
        if (norm == NormKind.Batch) yield return ("norm", nn.BatchNorm1d(outputs));
        if (norm == NormKind.Layer) yield return ("norm", nn.LayerNorm(outputs));
        yield return ("relu", Activation.Create(activation));
        if (dropout > 0) yield return ("dropout", nn.Dropout(dropout));
    }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() <= 2) return layers.forward(input);
        using var rows = input.flatten(1);
        return layers.forward(rows);
    }
}
