using System.Diagnostics;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>Owns the training loop: shuffled mini-batches from preloaded tensors, one optimiser step each,
/// validation after every epoch, callbacks at named moments. The batch order is a permutation from the
/// seed and the epoch, so a run is reproducible bit for bit on the same machine and thread count.</summary>
/// <remarks>Each step: the schedule's learning rate, the loss (<see cref="TrainingLoss"/>, class-weighted when
/// <paramref name="classWeights"/> are given), gradients clipped to <c>training.clip_norm</c>, then the step.
/// A loss that is not finite stops training before its step (<see cref="TrainingDivergedException"/>), so the
/// checkpoint written on the way out holds the last good step. A last batch of one row is left out of every
/// epoch (<see cref="BatchesPerEpoch"/>): batch norm's statistics of one row are meaningless.</remarks>
public sealed class Trainer(TrainingConfig config, FittedTarget target, MetricKind metric, int seed, IReadOnlyList<ITrainerCallback> callbacks,
    Data.Augmentation.IBatchAugmentation? augmentation = null, IReadOnlyList<double>? classWeights = null)
{
    /// <summary>Trains <paramref name="model"/>; with <paramref name="resume"/>, first puts back the checkpoint's weights,
    /// optimiser, schedule, generator and position, and goes on from the step after it.</summary>
    public TrainerState Fit(nn.Module<Tensor, Tensor> model, LabelledData train, LabelledData validation,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, Checkpoint? resume = null)
    {
        var state = new TrainerState(model);
        using var optimizer = Optimizers.Create(config, model.parameters());
        using var loss = new TrainingLoss(config, target.Task, classWeights, target.Classes.Count);
        var batches = BatchesPerEpoch(train.Count, config.BatchSize);
        var rows = Math.Min(train.Count, batches * config.BatchSize);
        var schedule = new LearningRateSchedule(config, batches, metric.HigherIsBetter());
        (state.Optimizer, state.Schedule) = (optimizer, schedule);
        resume?.Restore(state);
        var metricName = ConfigNames.Of(metric);
        var midStep = StepStart.Wanted(callbacks);
        double? lastMetric = state.History.Count > 0 ? state.History[^1].ValidationMetric : null;
        try
        {
            foreach (var callback in callbacks) callback.OnFitStart(state);
            for (var epoch = state.Epoch + 1; epoch <= config.Epochs && !state.StopRequested; epoch++)
            {
                var clock = Stopwatch.StartNew();
                model.train();
                using var order = tensor(Array.ConvertAll(new SeededRandom(seed, stream: 1000 + epoch).Permutation(train.Count), i => (long)i));
                foreach (var callback in callbacks) callback.OnEpochStart(state);
                for (var b = state.Batch; b < batches; b++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    foreach (var callback in callbacks) callback.OnBatchStart(state);
                    using var scope = NewDisposeScope();
                    var start = b * config.BatchSize;
                    var length = Math.Min(config.BatchSize, train.Count - start);
                    var index = order.narrow(0, start, length);
                    Optimizers.SetLearningRate(optimizer, schedule.Rate(epoch, b));
                    Optimizers.ClearGradients(model);
                    // Each batch's augmentation draws from its own generator, seeded by the run, epoch and batch.
                    using var generator = augmentation is null ? null : new Generator(new SeededRandom(seed, stream: epoch * 1_000_003 + b).NextUInt64());
                    var stepStart = midStep ? StepStart.Take(model) : null;
                    float value;
                    try
                    {
                        var batchLoss = loss.Compute(model.forward(train.Input.Rows(index, augmentation, generator)), train.Target.index_select(0, index));
                        value = batchLoss.item<float>();
                        if (!float.IsFinite(value)) throw new TrainingDivergedException(value, epoch, b + 1, state.Step + 1);
                        state.StepLoss = value;
                        foreach (var callback in callbacks) callback.OnBeforeBackward(state);
                        batchLoss.backward();
                        if (config.ClipNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), config.ClipNorm);
                        foreach (var callback in callbacks) callback.OnBeforeOptimizerStep(state);
                    }
                    catch when (stepStart is not null)
                    {
                        // The weights and the optimiser are as the last step left them; the forward pass moved the
                        // generator and the running statistics on, which a checkpoint written now must not keep.
                        stepStart.Restore();
                        throw;
                    }
                    optimizer.step();
                    state.EpochLossSum += value * length;
                    (state.Batch, state.Step, state.StepLoss, state.StepLearningRate) = (b + 1, state.Step + 1, value, schedule.Rate(epoch, b));
                    foreach (var callback in callbacks) callback.OnBatchEnd(state);
                    progress?.Report(new TrainingProgress(epoch, config.Epochs, b + 1, batches, state.EpochLossSum / (start + length), metricName, lastMetric));
                }

                foreach (var callback in callbacks) callback.OnValidationStart(state);
                var predictions = Predictor.Predict(model, validation.Input, target);
                var score = Scoring.Score(target, predictions, validation.Classes, validation.Values);
                state.ValidationMetrics = score.Metrics;
                state.ValidationLoss = ValidationLoss(score.Metrics, target);
                foreach (var callback in callbacks) callback.OnValidationEnd(state);
                state.Epoch = epoch;
                state.TrainLoss = state.EpochLossSum / rows;
                (state.Batch, state.EpochLossSum) = (0, 0);
                lastMetric = score.Metrics.Of(metric);
                // The last step's rate, recomputed so that an epoch resumed after its last step records it too.
                var rate = schedule.Rate(epoch, batches - 1);
                state.LearningRate = rate;
                state.History.Add(new EpochRecord(epoch, state.TrainLoss, state.ValidationLoss, lastMetric.Value, clock.Elapsed.TotalSeconds, rate));
                schedule.OnEpochEnd(epoch, lastMetric.Value, state.ValidationLoss);
                foreach (var callback in callbacks) callback.OnEpochEnd(state);
            }
            foreach (var callback in callbacks) callback.OnFitEnd(state);
        }
        catch (Exception e)
        {
            foreach (var callback in callbacks) callback.OnException(state, e);
            throw;
        }
        return state;
    }

    /// <summary>Optimiser steps per epoch: every batch of <paramref name="batchSize"/> rows, and the rest as a last,
    /// smaller batch unless it is a single row (batch norm's variance needs two rows; that row sits out the epoch, and
    /// as the order is reshuffled each epoch, a different row each time).</summary>
    public static int BatchesPerEpoch(int rows, int batchSize)
    {
        var batches = (rows + batchSize - 1) / batchSize;
        return rows > 1 && rows % batchSize == 1 ? batches - 1 : batches;
    }

    /// <summary>The validation loss on the training loss's scale: log loss (classes, labels), or the MSE of the
    /// standardised target (with several targets, its mean over them).</summary>
    private static double ValidationLoss(MetricSet metrics, FittedTarget target)
    {
        if (target.Task is TaskKind.Classification or TaskKind.Multilabel) return metrics["log_loss"];
        if (target.Columns is null) return Math.Pow(metrics["rmse"] / target.Std, 2);
        return target.Columns.Average(c => Math.Pow(metrics[$"rmse[{c.Name}]"] / c.Std, 2));
    }
}
