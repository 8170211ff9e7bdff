using Lathe.Config;

namespace Lathe.Training;

/// <summary>The learning rate at each optimiser step, as <c>training.schedule</c> says. Step and
/// reduce-on-plateau change it between epochs; cosine and one-cycle change it every batch. The formulas are
/// PyTorch's StepLR, linear warm-up then CosineAnnealingLR (down to 0), and OneCycleLR with cosine annealing;
/// reduce-on-plateau is ReduceLROnPlateau (no cooldown, no floor) watching what <c>plateau_monitor</c> says.</summary>
/// <remarks>It watched the validation metric alone until 2026-12-04. On a small table that cut the rate to nothing:
/// cars' 61 validation rows all got the majority class (0.623) for the first eight epochs while the loss fell, the rate went
/// down tenfold every three epochs from the fifth, and every model ended predicting the majority class; an equal metric
/// with a lower loss counting as better (early stopping's rule) only moved the collapse to the next stretch of
/// one accuracy, epochs 12–14 (docs/benchmarks.md, "Reduce-on-plateau on the validation loss").</remarks>
public sealed class LearningRateSchedule(TrainingConfig config, int batchesPerEpoch, bool higherIsBetter)
{
    /// <summary>OneCycleLR's defaults: the share of steps spent rising, the start (peak / 25) and the end (start / 10⁴).</summary>
    public const double OneCyclePeak = 0.3, OneCycleDivision = 25, OneCycleFinalDivision = 1e4;

    /// <summary>ReduceLROnPlateau's default threshold: a loss is better when it is below the best by more than this share of it.</summary>
    public const double PlateauThreshold = 1e-4;

    private readonly double _base = config.LearningRate;
    private double _plateauRate = config.LearningRate;
    private double _best = double.NaN;
    private double _bestLoss = double.PositiveInfinity;
    private int _bestEpoch;

    private long TotalSteps => (long)config.Epochs * batchesPerEpoch;

    /// <summary>The rate for the batch <paramref name="batch"/> (from 0) of epoch <paramref name="epoch"/> (from 1).</summary>
    public double Rate(int epoch, int batch)
    {
        var step = (long)(epoch - 1) * batchesPerEpoch + batch;
        switch (config.Schedule)
        {
            case ScheduleKind.Step:
                return _base * Math.Pow(config.StepGamma, (epoch - 1) / config.StepSize);
            case ScheduleKind.Cosine:
                var warmup = (long)Math.Round(config.WarmupEpochs * batchesPerEpoch);
                if (step < warmup) return _base * (step + 1) / warmup;
                var t = (double)(step - warmup) / Math.Max(1, TotalSteps - warmup);
                return _base * 0.5 * (1 + Math.Cos(Math.PI * t));
            case ScheduleKind.OneCycle:
                var start = _base / OneCycleDivision;
                var end = start / OneCycleFinalDivision;
                var rising = OneCyclePeak * TotalSteps - 1;
                return step <= rising
                    ? Anneal(start, _base, step / rising)
                    : Anneal(_base, end, (step - rising) / (TotalSteps - 1 - rising));
            case ScheduleKind.ReduceOnPlateau:
                return _plateauRate;
            default:
                return _base;
        }
    }

    /// <summary>Told the validation metric and loss after each epoch; reduce-on-plateau lowers the rate when the watched
    /// value has not improved for <c>plateau_patience</c> epochs, then waits that long again. Watching the loss, an epoch is
    /// better when its loss is below the best by more than <see cref="PlateauThreshold"/> of it; watching the metric, when
    /// its metric is better, or equal with a lower loss (early stopping's rule, <see cref="EarlyStopping"/>).</summary>
    public void OnEpochEnd(int epoch, double metric, double loss)
    {
        if (config.Schedule != ScheduleKind.ReduceOnPlateau) return;
        var better = config.PlateauMonitor == PlateauMonitor.Loss
            ? double.IsNaN(_best) || loss < _best * (1 - PlateauThreshold)
            : double.IsNaN(_best) || (higherIsBetter ? metric > _best : metric < _best) || (metric == _best && loss < _bestLoss);
        if (better)
        {
            (_best, _bestLoss, _bestEpoch) = (config.PlateauMonitor == PlateauMonitor.Loss ? loss : metric, loss, epoch);
        }
        else if (epoch - _bestEpoch >= config.PlateauPatience)
        {
            _plateauRate *= config.PlateauFactor;
            _bestEpoch = epoch;
        }
    }

    /// <summary>What reduce-on-plateau has learnt so far (the rate, the best watched value, its epoch and its loss), for a checkpoint.</summary>
    public PlateauState Plateau
    {
        get => new(_plateauRate, _best, _bestEpoch, _bestLoss);
        set => (_plateauRate, _best, _bestEpoch, _bestLoss) = (value.Rate, value.Best, value.BestEpoch, value.BestLoss);
    }

    private static double Anneal(double from, double to, double share) => to + (from - to) / 2 * (1 + Math.Cos(Math.PI * Math.Clamp(share, 0, 1)));
}
