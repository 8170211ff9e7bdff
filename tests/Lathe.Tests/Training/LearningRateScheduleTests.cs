using Lathe.Config;
using Lathe.Training;

namespace Lathe.Tests.Training;

public class LearningRateScheduleTests
{
    private static TrainingConfig Config(ScheduleKind schedule) => new() { Schedule = schedule, LearningRate = 1, Epochs = 10 };

    [Fact]
    public void No_schedule_keeps_the_rate()
    {
        var schedule = new LearningRateSchedule(Config(ScheduleKind.None), 10, true);
        Assert.All(Enumerable.Range(1, 10), e => Assert.Equal(1, schedule.Rate(e, 5)));
    }

    [Fact]
    public void Step_multiplies_by_gamma_every_step_size_epochs()
    {
        var schedule = new LearningRateSchedule(Config(ScheduleKind.Step) with { StepSize = 2, StepGamma = 0.5 }, 10, true);
        Assert.Equal([1, 1, 0.5, 0.5, 0.25, 0.25], Enumerable.Range(1, 6).Select(e => schedule.Rate(e, 7)));
    }

    [Fact]
    public void Cosine_warms_up_linearly_then_follows_half_a_cosine_down_to_zero()
    {
        // 10 epochs of 10 batches; 2 warm-up epochs are steps 0–19.
        var schedule = new LearningRateSchedule(Config(ScheduleKind.Cosine) with { WarmupEpochs = 2 }, 10, true);
        var rates = Enumerable.Range(0, 100).Select(s => schedule.Rate(s / 10 + 1, s % 10)).ToArray();
        Assert.Equal(1.0 / 20, rates[0], 12);
        Assert.Equal(10.0 / 20, rates[9], 12);
        Assert.Equal(1, rates[19], 12);
        Assert.Equal(1, rates[20], 12);
        for (var s = 20; s < 100; s++) Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * (s - 20) / 80)), rates[s], 12);
        Assert.Equal(0.5, rates[60], 12);
        Assert.True(rates[99] < 0.001);
    }

    [Fact]
    public void One_cycle_rises_from_a_25th_to_the_peak_over_30_percent_then_falls_far_below_the_start()
    {
        var schedule = new LearningRateSchedule(Config(ScheduleKind.OneCycle), 10, true);
        var rates = Enumerable.Range(0, 100).Select(s => schedule.Rate(s / 10 + 1, s % 10)).ToArray();
        Assert.Equal(0.04, rates[0], 12);
        Assert.Equal(1, rates[29], 12);
        Assert.Equal(0.04 / 1e4, rates[99], 12);
        Assert.Equal(rates[29], rates.Max());
        for (var s = 1; s <= 29; s++) Assert.True(rates[s] > rates[s - 1], $"rising at {s}");
        for (var s = 30; s < 100; s++) Assert.True(rates[s] < rates[s - 1], $"falling at {s}");
        // Cosine annealing between the ends: step 10 is 10/29 of the way up.
        Assert.Equal(1 + (0.04 - 1) / 2 * (1 + Math.Cos(Math.PI * 10 / 29)), rates[10], 12);
    }

    [Fact]
    public void Reduce_on_plateau_cuts_the_rate_after_patience_epochs_without_a_better_metric()
    {
        var schedule = new LearningRateSchedule(Config(ScheduleKind.ReduceOnPlateau) with { PlateauFactor = 0.5, PlateauPatience = 2 }, 10, higherIsBetter: true);
        double[] accuracy = [0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.65];
        var rates = new List<double>();
        for (var epoch = 1; epoch <= accuracy.Length; epoch++)
        {
            rates.Add(schedule.Rate(epoch, 0));
            schedule.OnEpochEnd(epoch, accuracy[epoch - 1]);
        }
        // Best at 2; epochs 3 and 4 no better → halved from epoch 5. Best at 5; 6 and 7 no better → halved from 8.
        Assert.Equal([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25], rates);
    }

    [Fact]
    public void Reduce_on_plateau_reads_a_lower_is_better_metric_the_right_way()
    {
        var schedule = new LearningRateSchedule(Config(ScheduleKind.ReduceOnPlateau) with { PlateauFactor = 0.1, PlateauPatience = 1 }, 10, higherIsBetter: false);
        schedule.OnEpochEnd(1, 0.9);
        schedule.OnEpochEnd(2, 0.8);
        Assert.Equal(1, schedule.Rate(3, 0));
        schedule.OnEpochEnd(3, 0.85);
        Assert.Equal(0.1, schedule.Rate(4, 0), 12);
    }
}
