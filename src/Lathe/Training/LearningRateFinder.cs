using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Engine;
using Lathe.Models;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary><c>lathe lr-find</c>: Smith's learning-rate range test (2017). From the config's initial model, take
/// one optimiser step per training batch while the rate grows exponentially from <c>from</c> to <c>to</c>;
/// record the loss, smooth it (exponential moving average, bias-corrected, β = 0.98 as fastai does) and stop once
/// it exceeds four times its best, or is not finite. The model is built fresh for the test and then dropped, so
/// the run that follows starts from the same initial weights.</summary>
public static class LearningRateFinder
{
    public const double Smoothing = 0.98, Explosion = 4;

    public static LearningRateSweep Find(PipelineConfig config, string workDirectory, int steps = 100, double from = 1e-7, double to = 10,
        IProgress<string>? stage = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.Configure(config.Training.Threads, config.Seed);
        var prepared = Preparation.Run(config, workDirectory, stage, cancellationToken);
        using var train = LabelledData.From(prepared.Train, prepared.Pipeline.Pack(prepared.TrainInput), prepared.Target);
        var spec = ModelSpec.Resolve(Preparation.ModelFor(config, prepared.Schema), train.Features.ItemShape, Bundles.Predictor.OutputCount(prepared.Target), prepared.Pipeline.Layout, prepared.Target.Task, prepared.Pipeline.NumberGroups(prepared.TrainInput));
        using var model = spec.Build();
        Initialization.Apply(model, config.Training.Init, config.Seed);
        var weights = train.Classes is null ? null : ClassWeights.Resolve(config.Training.ClassWeights, train.Classes, prepared.Target.Classes.Count, prepared.Metric);
        stage?.Report($"sweeping the learning rate from {from:0.#e0} to {to:0.#e0} over {steps} batches");
        return Sweep(model, train, config.Training, prepared.Target.Task, prepared.Target.Classes.Count, weights, config.Seed, steps, from, to, cancellationToken);
    }

    /// <summary>The sweep itself, on a model and its training rows; changes the model's weights.</summary>
    public static LearningRateSweep Sweep(nn.Module<Tensor, Tensor> model, LabelledData train, TrainingConfig config, TaskKind task, int classes,
        IReadOnlyList<double>? classWeights, int seed, int steps, double from, double to, CancellationToken cancellationToken = default)
    {
        if (steps < 2 || !(from > 0 && to > from)) throw new LatheException($"lr-find needs at least 2 steps and 0 < from < to (got {steps} steps, {from} to {to})");
        using var optimizer = Optimizers.Create(config, model.parameters());
        using var loss = new TrainingLoss(config, task, classWeights, classes);
        var (rates, losses, smoothed) = (new List<double>(), new List<double>(), new List<double>());
        var batchSize = Math.Min(config.BatchSize, train.Count);
        var perPass = train.Count / batchSize;
        Tensor? order = null;
        double average = 0, best = double.PositiveInfinity;
        model.train();
        try
        {
            for (var step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (step % perPass == 0)
                {
                    order?.Dispose();
                    order = tensor(Array.ConvertAll(new SeededRandom(seed, stream: 2000 + step / perPass).Permutation(train.Count), i => (long)i));
                }
                using var scope = NewDisposeScope();
                var rate = from * Math.Pow(to / from, (double)step / (steps - 1));
                Optimizers.SetLearningRate(optimizer, rate);
                var index = order!.narrow(0, step % perPass * batchSize, batchSize);
                Optimizers.ClearGradients(model);
                var batchLoss = loss.Compute(model.forward(train.Input.Rows(index, null, null)), train.Target.index_select(0, index));
                var value = batchLoss.item<float>();
                if (!double.IsFinite(value)) break;
                batchLoss.backward();
                if (config.ClipNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), config.ClipNorm);
                optimizer.step();
                average = Smoothing * average + (1 - Smoothing) * value;
                var debiased = average / (1 - Math.Pow(Smoothing, step + 1));
                rates.Add(rate);
                losses.Add(value);
                smoothed.Add(debiased);
                best = Math.Min(best, debiased);
                if (debiased > Explosion * best) break;
            }
        }
        finally
        {
            order?.Dispose();
        }
        if (rates.Count < 2) throw new LatheException($"lr-find: the loss was not finite from the first steps (rate {from:0.#e0}) — lower --from");
        var (suggested, minimumOverTen) = Suggest(rates, smoothed);
        return new LearningRateSweep(rates, losses, smoothed, suggested, minimumOverTen);
    }

    /// <summary>The steepest descent of the smoothed loss against log(rate), looked for between the first tenth
    /// of the sweep (where the average is still settling) and the minimum; and the minimum's rate over ten.
    /// When the sweep is too short to have a slope before its minimum, both are the minimum over ten.</summary>
    public static (double Steepest, double MinimumOverTen) Suggest(IReadOnlyList<double> rates, IReadOnlyList<double> smoothed)
    {
        var lowest = 0;
        for (var i = 1; i < smoothed.Count; i++) if (smoothed[i] < smoothed[lowest]) lowest = i;
        var minimumOverTen = rates[lowest] / 10;
        var start = Math.Max(1, rates.Count / 10);
        if (lowest - start < 2) return (minimumOverTen, minimumOverTen);
        var steepest = start;
        var slope = double.PositiveInfinity;
        for (var i = start; i < lowest; i++)
        {
            var s = (smoothed[i + 1] - smoothed[i - 1]) / (Math.Log(rates[i + 1]) - Math.Log(rates[i - 1]));
            if (s < slope) (slope, steepest) = (s, i);
        }
        return (rates[steepest], minimumOverTen);
    }
}
