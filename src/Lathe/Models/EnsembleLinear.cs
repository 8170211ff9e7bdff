using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>One hidden layer shared by the members of a parameter-efficient ensemble (BatchEnsemble, Wen et al. 2020,
/// as TabM uses it, Gorishniy et al. 2025): member j computes <c>s_j ⊙ (W (r_j ⊙ x)) + b_j</c>, so the members share the
/// weight W and each has its own input scaling r, output scaling s and bias b. Takes [rows, inputs] (every member reads
/// the same row) or [rows, members, inputs]; gives [rows, members, outputs].</summary>
public sealed class EnsembleLinear : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // parameter names as PyTorch spells them, so the weights read as a Linear's
    public readonly Parameter weight;
    public readonly Parameter bias;
    public readonly Parameter input_scale;
    public readonly Parameter output_scale;
#pragma warning restore IDE1006

    /// <param name="randomSigns">The members' input scalings start as random ±1 (TabM's first layer, which makes the
    /// members differ from the first step); otherwise at 1.</param>
    public EnsembleLinear(long inputs, long outputs, int members, bool randomSigns) : base("ensemble_linear")
    {
        weight = new Parameter(empty(outputs, inputs));
        bias = new Parameter(empty(members, outputs));
        // The initialisation of nn.Linear: weights and biases uniform in ±1/√inputs.
        nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
        var bound = 1 / Math.Sqrt(inputs);
        using (no_grad()) bias.uniform_(-bound, bound);
        input_scale = new Parameter(randomSigns ? RandomSigns(members, inputs) : ones(members, inputs));
        output_scale = new Parameter(ones(members, outputs));
        RegisterComponents();
    }

    /// <summary>A [rows, columns] tensor of ±1, each sign drawn from the global generator. The caller owns it.</summary>
    private static Tensor RandomSigns(long rows, long columns)
    {
        using var coins = randint(0, 2, [rows, columns], ScalarType.Float32);
        return coins.mul(2).sub_(1);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var rows = input.dim() == 2 ? input.unsqueeze(1) : input;
        var output = nn.functional.linear(rows * input_scale, weight).mul_(output_scale).add_(bias, Scalars.One);
        return output.MoveToOuterDisposeScope();
    }
}
