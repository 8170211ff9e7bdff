using Lathe.Evaluation;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>Where training stands, as callbacks see it after each step and epoch.</summary>
public sealed class TrainerState(nn.Module<Tensor, Tensor> model)
{
    public nn.Module<Tensor, Tensor> Model { get; } = model;
    /// <summary>Epochs completed, from 1.</summary>
    public int Epoch { get; internal set; }
    /// <summary>Batches done in the epoch under way (epoch <see cref="Epoch"/> + 1); 0 at an epoch's end.</summary>
    public int Batch { get; internal set; }
    /// <summary>Optimiser steps taken since the run began.</summary>
    public long Step { get; internal set; }
    /// <summary>The loss of the last optimiser step's batch (before the step), as the trainer computed it in single precision;
    /// inside a step (<see cref="ITrainerCallback.OnBeforeBackward"/>, <see cref="ITrainerCallback.OnBeforeOptimizerStep"/>), this batch's.</summary>
    public float StepLoss { get; internal set; }
    /// <summary>The learning rate of the last optimiser step.</summary>
    public double StepLearningRate { get; internal set; }
    public double TrainLoss { get; internal set; }
    public double ValidationLoss { get; internal set; }
    public MetricSet ValidationMetrics { get; internal set; } = new();
    /// <summary>The learning rate of the epoch's last step.</summary>
    public double LearningRate { get; internal set; }
    public List<EpochRecord> History { get; } = [];
    /// <summary>Set by a callback to end training after this epoch.</summary>
    public bool StopRequested { get; set; }

    /// <summary>The sum of batch loss × batch size over the batches done in the epoch under way.</summary>
    internal double EpochLossSum { get; set; }
    internal optim.Optimizer? Optimizer { get; set; }
    internal LearningRateSchedule? Schedule { get; set; }
}

/// <summary>One epoch's figures, for the learning curve in <c>metrics.json</c>; <paramref name="LearningRate"/> is
/// the rate of the epoch's last step, as the schedule set it.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double ValidationMetric, double Seconds, double LearningRate = 0);
