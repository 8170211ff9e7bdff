using Lathe.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A multi-layer perceptron for tables: per hidden layer Linear → norm (optional) → activation → dropout,
/// optionally with a residual connection around each layer; then a linear head. Images ([rows, channels, height,
/// width]) are read as rows of their pixels. With an ensemble of k members (TabM), each hidden layer is an
/// <see cref="EnsembleLinear"/> the members share and the head an <see cref="EnsembleHead"/>, one per member. With number
/// groups, each number's piecewise-linear bins are first embedded on their own (<see cref="NumberEmbedding"/>).</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> layers;

    public Mlp(long inputs, IReadOnlyList<int> hidden, double dropout, int outputs,
        ActivationKind activation = ActivationKind.Relu, NormKind norm = NormKind.None, bool residual = false,
        int ensemble = 0, EnsembleMean mean = EnsembleMean.Probabilities, IReadOnlyList<int[]>? numberGroups = null, int numberWidth = 0) : base("mlp")
    {
        var members = ensemble > 1;
        // Batch norm would read the members as channels, and a residual block's projection is not the members'.
        if (members && (residual || norm == NormKind.Batch))
            throw new LatheException($"model.ensemble ({ensemble} members) works with plain hidden layers and norm none or layer, not {(residual ? "residual: true" : "norm: batch")}");
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var width = inputs;
        if (numberWidth > 0 && numberGroups is { Count: > 0 })
        {
            var numbers = new NumberEmbedding(inputs, numberGroups, numberWidth);
            modules.Add(("numbers", numbers));
            width = numbers.Outputs;
        }
        for (var i = 0; i < hidden.Count; i++)
        {
            if (residual) modules.Add(($"block{i}", new ResidualDense(width, hidden[i], norm, activation, dropout)));
            // Plain layers keep the names linear{i}, relu{i}, dropout{i} of earlier bundles' weights.
            else modules.AddRange(Layer(width, hidden[i], norm, activation, dropout, members ? ensemble : 0, first: i == 0).Select(m => ($"{m.Name}{i}", m.Module)));
            width = hidden[i];
        }
        modules.Add(("head", members ? new EnsembleHead(width, outputs, ensemble, mean) : nn.Linear(width, outputs)));
        layers = nn.Sequential(modules);
        RegisterComponents();
    }

    /// <summary>One hidden layer's modules, named by their role: linear, norm, relu (any activation), dropout. With
    /// <paramref name="members"/> the linear is the ensemble's shared layer (random input signs on the <paramref name="first"/>).</summary>
    internal static IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> Layer(long inputs, long outputs, NormKind norm, ActivationKind activation, double dropout,
        int members = 0, bool first = false)
    {
        yield return ("linear", members > 1 ? new EnsembleLinear(inputs, outputs, members, randomSigns: first) : nn.Linear(inputs, outputs));
        if (norm == NormKind.Batch) yield return ("norm", nn.BatchNorm1d(outputs));
        if (norm == NormKind.Layer) yield return ("norm", nn.LayerNorm(outputs));
        yield return ("relu", Activation.Create(activation));
        if (dropout > 0) yield return ("dropout", nn.Dropout(dropout));
    }

    /// <summary>The layers in order, for <see cref="HandlePass"/> to read.</summary>
    internal nn.Module<Tensor, Tensor> Layers => layers;

    public override Tensor forward(Tensor input)
    {
        if (input.dim() <= 2) return layers.forward(input);
        using var rows = input.flatten(1);
        return layers.forward(rows);
    }
}
