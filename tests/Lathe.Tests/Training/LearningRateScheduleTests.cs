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
        var schedule = new LearningRateSchedule(Config(ScheduleKind.ReduceOnPlateau) with { PlateauFactor = 0.5, PlateauPatience = 2, PlateauMonitor = PlateauMonitor.Metric }, 10, higherIsBetter: true);
        double[] accuracy = [0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.65];
        var rates = new List<double>();
        for (var epoch = 1; epoch <= accuracy.Length; epoch++)
        {
            rates.Add(schedule.Rate(epoch, 0));
            schedule.OnEpochEnd(epoch, accuracy[epoch - 1], loss: 1);
        }
        // Best at 2; epochs 3 and 4 no better → halved from epoch 5. Best at 5; 6 and 7 no better → halved from 8.
        Assert.Equal([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25], rates);
    }

    [Fact]
    public void Reduce_on_plateau_reads_a_lower_is_better_metric_the_right_way()
    {
        var schedule = new LearningRateSchedule(Config(ScheduleKind.ReduceOnPlateau) with { PlateauFactor = 0.1, PlateauPatience = 1, PlateauMonitor = PlateauMonitor.Metric }, 10, higherIsBetter: false);
        schedule.OnEpochEnd(1, 0.9, loss: 0.9);
        schedule.OnEpochEnd(2, 0.8, loss: 0.8);
        Assert.Equal(1, schedule.Rate(3, 0));
        schedule.OnEpochEnd(3, 0.85, loss: 0.85);
        Assert.Equal(0.1, schedule.Rate(4, 0), 12);
    }

    [Fact]
    public void Reduce_on_plateau_takes_a_lower_loss_at_the_best_metric_as_progress_as_early_stopping_does()
    {
        var schedule = new LearningRateSchedule(Config(ScheduleKind.ReduceOnPlateau) with { PlateauFactor = 0.1, PlateauPatience = 3, PlateauMonitor = PlateauMonitor.Metric }, 10, higherIsBetter: true);
        // Like cars' first epochs: accuracy on the majority class while the loss falls, then rises.
        double[] accuracy = [0.623, 0.623, 0.623, 0.623, 0.623, 0.623, 0.623, 0.623];
        double[] loss = [1.02, 0.91, 0.81, 0.78, 0.77, 0.78, 0.79, 0.80];
        var rates = new List<double>();
        for (var epoch = 1; epoch <= accuracy.Length; epoch++)
        {
            rates.Add(schedule.Rate(epoch, 0));
            schedule.OnEpochEnd(epoch, accuracy[epoch - 1], loss[epoch - 1]);
        }
        // Better through epoch 5 (the loss); 6, 7 and 8 neither → cut from epoch 9.
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1], rates);
        Assert.Equal(0.1, schedule.Rate(9, 0), 12);
        Assert.Equal(new PlateauState(0.1, 0.623, 8, 0.77), schedule.Plateau);
    }

    [Fact]
    public void Reduce_on_plateau_on_the_loss_by_default_counts_a_loss_better_only_when_lower_by_a_ten_thousandth()
    {
        var config = Config(ScheduleKind.ReduceOnPlateau) with { PlateauFactor = 0.5, PlateauPatience = 2 };
        Assert.Equal(PlateauMonitor.Loss, config.PlateauMonitor);
        var schedule = new LearningRateSchedule(config, 10, higherIsBetter: true);
        // The metric falls throughout and does not matter; 0.99995 and 0.99991 are within 1e-4 of 1.0, 0.9998 is not.
        double[] loss = [1.0, 0.99995, 0.99991, 0.9998, 0.5, 0.6, 0.55, 0.4];
        var rates = new List<double>();
        for (var epoch = 1; epoch <= loss.Length; epoch++)
        {
            rates.Add(schedule.Rate(epoch, 0));
            schedule.OnEpochEnd(epoch, metric: 1.0 / epoch, loss[epoch - 1]);
        }
        // Best at 1; 2 and 3 not better → halved from epoch 4. Better at 4 and 5; 6 and 7 not → halved from 8.
        Assert.Equal([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25], rates);
        Assert.Equal(new PlateauState(0.25, 0.4, 8, 0.4), schedule.Plateau);
    }

    [Fact]
    public void A_checkpointed_plateau_state_resumes_the_same_decisions()
    {
        // On the metric, where the kept loss decides ties: epoch 3 ties epoch 2 with a lower loss, 4 and 5 tie it with higher ones.
        var config = Config(ScheduleKind.ReduceOnPlateau) with { PlateauFactor = 0.5, PlateauPatience = 2, PlateauMonitor = PlateauMonitor.Metric };
        var whole = new LearningRateSchedule(config, 10, higherIsBetter: true);
        var resumed = new LearningRateSchedule(config, 10, higherIsBetter: true);
        (double Metric, double Loss)[] epochs = [(0.5, 1.0), (0.6, 0.9), (0.6, 0.8), (0.6, 0.85), (0.6, 0.84), (0.7, 0.7), (0.7, 0.71)];
        for (var epoch = 1; epoch <= epochs.Length; epoch++)
        {
            whole.OnEpochEnd(epoch, epochs[epoch - 1].Metric, epochs[epoch - 1].Loss);
            if (epoch == 3) resumed.Plateau = whole.Plateau;
            if (epoch > 3) resumed.OnEpochEnd(epoch, epochs[epoch - 1].Metric, epochs[epoch - 1].Loss);
        }
        Assert.Equal(new PlateauState(0.5, 0.7, 6, 0.7), whole.Plateau);
        Assert.Equal(whole.Plateau, resumed.Plateau);
        Assert.Equal(0.5, resumed.Rate(8, 0), 12);
    }

    [Fact]
    public void Reduce_on_plateau_lets_a_small_real_table_train_while_its_accuracy_sits_on_the_majority_class()
    {
        // Cars' origin with the config lathe init writes (a 32-member ensemble, label smoothing 0.1): for its first epochs
        // every member still answers the majority class (USA, 62% of the validation rows) while the validation loss falls.
        var (initial, _, _) = InitialConfig.For(TestData.Vega("cars.json"), "Origin", TestData.TempDirectory());
        var config = initial with
        {
            // lathe init writes the path relative to the config's folder; here there is no config file to be relative to.
            Data = initial.Data with { Path = TestData.Vega("cars.json"), Exclude = ["Name"] },
            Training = initial.Training with { Epochs = 30, Threads = 2, Schedule = ScheduleKind.ReduceOnPlateau, PlateauPatience = 3, Patience = 0 },
        };
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        var history = result.Metrics.History;
        // The case in point (watching the accuracy, the rate was cut from epoch 5 on, and every model ended on the majority
        // class): four epochs at one accuracy, each with a lower loss, and the rate kept while the loss falls.
        Assert.All(history.Take(4), h => Assert.Equal(history[0].ValidationMetric, h.ValidationMetric));
        for (var e = 1; e < 16; e++) Assert.True(history[e].ValidationLoss < history[e - 1].ValidationLoss, $"epoch {e + 1}: loss {history[e].ValidationLoss} after {history[e - 1].ValidationLoss}");
        Assert.All(history.Take(16), h => Assert.Equal(config.Training.LearningRate, h.LearningRate, 12));
        Assert.True(result.Metrics.Test["accuracy"] > 0.7, $"test accuracy {result.Metrics.Test["accuracy"]} (the majority class is 0.62)");
    }
}
