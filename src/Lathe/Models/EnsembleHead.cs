using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>The heads of a parameter-efficient ensemble: each member its own linear head (nothing shared). While
/// training it gives every member's outputs, [rows, members, outputs], and the loss is their mean over the members, so
/// each member learns on its own; in evaluation it gives one output per row that the predictor reads as it reads a single
/// network's: the log of the members' mean probability (its softmax, or its sigmoid per label, is that mean) or the
/// members' mean value.</summary>
public sealed class EnsembleHead : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // parameter names as PyTorch spells them
    public readonly Parameter weight;
    public readonly Parameter bias;
#pragma warning restore IDE1006
    private readonly EnsembleMean _mean;
    // Made once: a double passed to sub_ would become a new Scalar, never disposed, on every pass.
    private readonly Scalar _logMembers;

    public EnsembleHead(long inputs, long outputs, int members, EnsembleMean mean) : base("ensemble_head")
    {
        // [members, outputs, inputs]: each member's slice is laid out as a Linear's weight.
        weight = new Parameter(empty(members, outputs, inputs));
        bias = new Parameter(empty(members, outputs));
        var bound = 1 / Math.Sqrt(inputs);
        using (no_grad())
        {
            for (var m = 0; m < members; m++)
            {
                using var slice = weight[m];
                nn.init.kaiming_uniform_(slice, Math.Sqrt(5));
            }
            bias.uniform_(-bound, bound);
        }
        (_mean, _logMembers) = (mean, Math.Log(members).ToScalar());
        RegisterComponents();
    }

    /// <summary>What the members' outputs are averaged as, for <see cref="HandlePass"/>.</summary>
    internal EnsembleMean Agreement => _mean;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var members = weight.size(0);
        var rows = input.dim() == 2 ? input.unsqueeze(1).expand(-1, members, -1) : input;
        // [members, rows, inputs] × [members, inputs, outputs] → [rows, members, outputs].
        var outputs = rows.transpose(0, 1).bmm(weight.transpose(1, 2)).transpose(0, 1).add(bias, Scalars.One);
        var result = training ? outputs : Mean(outputs);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>One output per row from the members' outputs [rows, members, outputs].</summary>
    private Tensor Mean(Tensor outputs) => _mean switch
    {
        // The log of the members' mean probability: its softmax is that mean.
        EnsembleMean.Probabilities => nn.functional.log_softmax(outputs, 2).logsumexp(1).sub_(_logMembers),
        // The logit of the mean sigmoid, log mean p − log mean (1 − p), each term stable for large logits (the k cancels).
        EnsembleMean.LabelProbabilities => nn.functional.logsigmoid(outputs).logsumexp(1) - nn.functional.logsigmoid(outputs.neg()).logsumexp(1),
        _ => outputs.mean([1]),
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing) _logMembers.Dispose();
        base.Dispose(disposing);
    }
}
