using Lathe.Config;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>The loss the optimiser minimises, resolved from <c>training.loss</c> and the task. Classification
/// losses take the network's class scores (logits, one per class) and class indices; regression losses take
/// one output per row (one per target with several) and the standardised target; multilabel takes one logit per
/// label and the 0/1 labels. Class weights, when given, weight each row by its true
/// class and the batch loss is the weighted mean (divided by the sum of the weights, as PyTorch does).</summary>
public sealed class TrainingLoss : IDisposable
{
    private readonly Tensor? _weights;
    private readonly bool _multilabel;

    public TrainingLoss(TrainingConfig config, TaskKind task, IReadOnlyList<double>? classWeights = null, int classes = 0)
    {
        Kind = config.Loss == LossKind.Auto ? task switch
        {
            TaskKind.Classification => LossKind.CrossEntropy,
            TaskKind.Multilabel => LossKind.BinaryCrossEntropy,
            _ => LossKind.Mse,
        } : config.Loss;
        _multilabel = task == TaskKind.Multilabel;
        if (_multilabel && Kind != LossKind.BinaryCrossEntropy)
            throw new LatheException($"training.loss '{ConfigNames.Of(Kind)}' does not fit multilabel — use binary_cross_entropy");
        if (!_multilabel && Kind.IsClassification() != (task == TaskKind.Classification))
            throw new LatheException($"training.loss '{ConfigNames.Of(Kind)}' does not fit {ConfigNames.Of(task)}");
        if (Kind == LossKind.BinaryCrossEntropy && classes != 2 && !_multilabel)
            throw new LatheException($"training.loss binary_cross_entropy needs two classes, but the target has {classes} — use cross_entropy or focal");
        (LabelSmoothing, FocalGamma, HuberDelta) = (config.LabelSmoothing, config.FocalGamma, config.HuberDelta);
        if (classWeights is not null) _weights = tensor(classWeights.Select(w => (float)w).ToArray()).DetachFromDisposeScope();
    }

    public LossKind Kind { get; }
    public double LabelSmoothing { get; }
    public double FocalGamma { get; }
    public double HuberDelta { get; }

    /// <summary>The mean loss of a batch as a scalar tensor (in the caller's dispose scope). Multilabel: the binary
    /// cross-entropy of each label's logit, averaged over rows and labels; several regression targets: the loss
    /// averaged over rows and (standardised) targets. An ensemble's outputs while training, [rows, members, outputs], give
    /// the mean of the members' losses: each member is scored against every row's truth.</summary>
    public Tensor Compute(Tensor output, Tensor truth)
    {
        if (output.dim() != 3) return Single(output, truth);
        var members = output.shape[1];
        using var rows = output.reshape(-1, output.shape[2]);
        using var truths = truth.repeat_interleave(members, 0);
        return Single(rows, truths);
    }

    private Tensor Single(Tensor output, Tensor truth) => _multilabel
        ? nn.functional.binary_cross_entropy_with_logits(output, truth)
        : Kind switch
    {
        LossKind.CrossEntropy => nn.functional.cross_entropy(output, truth, _weights, label_smoothing: LabelSmoothing),
        // The head has two logits; softmax over them is the sigmoid of their difference, so this is the
        // binary cross-entropy of P(class 1) = σ(z₁ − z₀) — the same value cross_entropy gives, by another formula.
        LossKind.BinaryCrossEntropy => WeightedMean(nn.functional.binary_cross_entropy_with_logits(
            output[.., 1] - output[.., 0], truth.to(ScalarType.Float32), reduction: nn.Reduction.None), truth),
        LossKind.Focal => Focal(output, truth),
        LossKind.Mse => nn.functional.mse_loss(output.squeeze(1), truth),
        LossKind.Mae => nn.functional.l1_loss(output.squeeze(1), truth),
        LossKind.Huber => nn.functional.huber_loss(output.squeeze(1), truth, HuberDelta),
        _ => throw new InvalidOperationException($"loss {Kind} is not resolved"),
    };

    /// <summary>Focal loss (Lin et al., 2017): −(1 − p_y)^γ · log p_y per row, so confidently right rows count little.</summary>
    private Tensor Focal(Tensor output, Tensor truth)
    {
        var logP = nn.functional.log_softmax(output, 1).gather(1, truth.unsqueeze(1)).squeeze(1);
        var rows = -(1 - logP.exp()).pow(FocalGamma) * logP;
        return WeightedMean(rows, truth);
    }

    private Tensor WeightedMean(Tensor rows, Tensor truth)
    {
        if (_weights is null) return rows.mean();
        var w = _weights.index_select(0, truth);
        return (rows * w).sum() / w.sum();
    }

    public void Dispose() => _weights?.Dispose();
}
