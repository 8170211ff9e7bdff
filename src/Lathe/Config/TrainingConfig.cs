namespace Lathe.Config;

/// <summary>How the model is trained.</summary>
public sealed record TrainingConfig
{
    public int Epochs { get; init; } = 100;
    public int BatchSize { get; init; } = 64;
    /// <summary>The base rate; schedules scale it (one_cycle's peak, cosine's start).</summary>
    public double LearningRate { get; init; } = 0.001;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>SGD only (RMSprop keeps PyTorch's default of none).</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>SGD only: Nesterov momentum.</summary>
    public bool Nesterov { get; init; }
    /// <summary>L2 penalty in the gradient (adam, sgd, rmsprop, adagrad); decoupled decay for adamw.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Largest L2 norm of all gradients together before a step; 0 is off.</summary>
    public double ClipNorm { get; init; }
    public LossKind Loss { get; init; } = LossKind.Auto;
    /// <summary>Cross-entropy: share of probability spread evenly over the classes, in [0, 1).</summary>
    public double LabelSmoothing { get; init; }
    /// <summary>Focal loss: γ in (1 − p)^γ; 0 is cross-entropy.</summary>
    public double FocalGamma { get; init; } = 2;
    /// <summary>Huber loss: where it turns from quadratic to linear, in standardised target units.</summary>
    public double HuberDelta { get; init; } = 1;
    public ClassWeighting ClassWeights { get; init; } = ClassWeighting.Auto;
    public InitKind Init { get; init; } = InitKind.Auto;
    public ScheduleKind Schedule { get; init; } = ScheduleKind.None;
    /// <summary>Step schedule: epochs between reductions.</summary>
    public int StepSize { get; init; } = 10;
    /// <summary>Step schedule: factor applied every <see cref="StepSize"/> epochs.</summary>
    public double StepGamma { get; init; } = 0.1;
    /// <summary>Cosine schedule: epochs (fractions allowed) of linear warm-up from 0.</summary>
    public double WarmupEpochs { get; init; }
    /// <summary>Reduce-on-plateau: factor applied when the watched value stalls.</summary>
    public double PlateauFactor { get; init; } = 0.1;
    /// <summary>Reduce-on-plateau: epochs without a better watched value before a reduction.</summary>
    public int PlateauPatience { get; init; } = 3;
    /// <summary>Reduce-on-plateau: what it watches. The loss by default: on a validation part of a few dozen rows the metric
    /// moves in steps of a row and stalls for epochs while the model still learns (docs/architecture.md, "Schedules").</summary>
    public PlateauMonitor PlateauMonitor { get; init; } = PlateauMonitor.Loss;
    /// <summary>Stop after this many epochs without a better validation metric (an equal metric with a lower validation loss
    /// counts as better, <see cref="Training.EarlyStopping"/>); 0 never stops early.</summary>
    public int Patience { get; init; } = 10;
    /// <summary>Threads for the engine; 0 uses every core. Bit-identical results need the same count.</summary>
    public int Threads { get; init; }
    /// <summary>Write <c>checkpoints/last.ckpt</c> every this many optimiser steps as well as at each epoch's end; 0: at epoch ends only.</summary>
    public int CheckpointEverySteps { get; init; }
    /// <summary>Wall-clock budget in minutes: training ends after the epoch during which it runs out; 0 is no limit.</summary>
    public double MaxMinutes { get; init; }
    /// <summary>Cross-validation: K ≥ 2 trains K models over the training and validation rows (stratified folds for
    /// classification) and reports each metric's mean ± std before the usual final model; 0 is off.</summary>
    public int Cv { get; init; }
    /// <summary>Multilabel: the probability from which a label is predicted, for every label.</summary>
    public double Threshold { get; init; } = 0.5;
    /// <summary>Multilabel: tune each label's threshold on the validation part (its best F1) instead of <see cref="Threshold"/>.</summary>
    public bool TuneThreshold { get; init; }
    /// <summary>Classification: after training, fit one temperature for the logits on the validation part
    /// (<see cref="Evaluation.TemperatureScaling"/>) and keep it in the bundle; the predicted classes never change.</summary>
    public bool Calibrate { get; init; } = true;
}
