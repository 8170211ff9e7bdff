using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A multi-layer perceptron for tables: Linear → ReLU → Dropout per hidden layer, then a linear head.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> layers;

    public Mlp(long inputs, IReadOnlyList<int> hidden, double dropout, int outputs) : base("mlp")
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var width = inputs;
        for (var i = 0; i < hidden.Count; i++)
        {
            modules.Add(($"linear{i}", nn.Linear(width, hidden[i])));
            modules.Add(($"relu{i}", nn.ReLU()));
            if (dropout > 0) modules.Add(($"dropout{i}", nn.Dropout(dropout)));
            width = hidden[i];
        }
        modules.Add(("head", nn.Linear(width, outputs)));
        layers = nn.Sequential(modules);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.forward(input);
}
