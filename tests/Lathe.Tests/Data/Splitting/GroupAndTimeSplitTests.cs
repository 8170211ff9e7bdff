using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Data.Splitting;
using Lathe.Training;

namespace Lathe.Tests.Data.Splitting;

public class GroupAndTimeSplitTests
{
    [Fact]
    public void No_airport_of_the_birdstrikes_sits_in_two_parts()
    {
        var table = DataSource.Open(TestData.Vega("birdstrikes.csv")).Read();
        var airports = ((StringColumn)table["Airport Name"]).Values;
        var parts = GroupSplit.Split(airports, new SplitConfig(), seed: 5);
        var seen = new[] { parts.Train, parts.Validation, parts.Test }.Select(p => p.Select(r => airports[r]).ToHashSet()).ToArray();
        Assert.Empty(seen[0].Intersect(seen[1]));
        Assert.Empty(seen[0].Intersect(seen[2]));
        Assert.Empty(seen[1].Intersect(seen[2]));
        Assert.Equal(table.RowCount, parts.Train.Length + parts.Validation.Length + parts.Test.Length);
        Assert.InRange(parts.Test.Length, 0.10 * table.RowCount, 0.20 * table.RowCount);
        Assert.InRange(parts.Validation.Length, 0.10 * table.RowCount, 0.20 * table.RowCount);
    }

    [Fact]
    public void Time_split_puts_no_future_day_in_training()
    {
        var table = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var days = TimeSplit.Times(table["date"]);
        var parts = TimeSplit.Split(days, new SplitConfig(), "date", table.Source);
        Assert.True(parts.Train.Max(r => days[r]) < parts.Validation.Min(r => days[r]));
        Assert.True(parts.Validation.Max(r => days[r]) < parts.Test.Min(r => days[r]));
        Assert.Equal(Math.Round(1461 * 0.7), parts.Train.Length);
        Assert.Equal(DateTime.Parse("2015-12-31").Ticks / (double)TimeSpan.TicksPerDay, parts.Test.Max(r => days[r]));
    }

    [Fact]
    public void Rows_at_the_same_moment_stay_in_one_part()
    {
        var table = DataSource.Open(TestData.Vega("flights-2k.json")).Read();
        // Distances repeat a lot: a good test that equal values are never cut apart.
        var times = ((NumericColumn)table["distance"]).Values;
        Assert.True(times.Distinct().Count() < times.Length / 2);
        var parts = TimeSplit.Split(times, new SplitConfig(), "distance", table.Source);
        Assert.True(parts.Train.Max(r => times[r]) < parts.Validation.Min(r => times[r]));
        Assert.True(parts.Validation.Max(r => times[r]) < parts.Test.Min(r => times[r]));
    }

    [Fact]
    public void Stratified_k_fold_puts_each_row_in_one_fold_with_the_class_shares_of_the_whole()
    {
        var table = DataSource.Open(TestData.Vega("penguins.json")).Read();
        var classes = FittedTarget.Fit(table["Species"], TaskKind.Classification, []).EncodeClasses(table);
        var folds = KFold.Assign(classes.Length, 5, seed: 1, classes);
        Assert.Equal(Enumerable.Range(0, 5), folds.Distinct().Order());
        foreach (var group in classes.GroupBy(c => c))
            for (var k = 0; k < 5; k++)
                Assert.InRange(Enumerable.Range(0, classes.Length).Count(r => classes[r] == group.Key && folds[r] == k), group.Count() / 5.0 - 1, group.Count() / 5.0 + 1);
        Assert.All(Enumerable.Range(0, 5), k => Assert.InRange(folds.Count(f => f == k), 68, 69));
        var (train, heldOut) = KFold.Parts(folds, 2);
        Assert.Equal(classes.Length, train.Length + heldOut.Length);
        Assert.Empty(train.Intersect(heldOut));
        Assert.Equal(folds, KFold.Assign(classes.Length, 5, seed: 1, classes));
    }

    [Fact]
    public void Training_can_follow_time_and_keep_groups_apart()
    {
        var weather = new PipelineConfig
        {
            Target = "weather",
            Data = new DataConfig { Path = TestData.Vega("seattle-weather.csv"), Split = new SplitConfig { Time = "date" } },
            Training = new TrainingConfig { Epochs = 5, Threads = 2 },
        };
        var byTime = TrainingRun.Run(weather, TestData.TempDirectory()).Metrics;
        Assert.Equal(1461, byTime.Rows.Train + byTime.Rows.Validation + byTime.Rows.Test);

        var birds = new PipelineConfig
        {
            Target = "Effect Amount of damage",
            Data = new DataConfig { Path = TestData.Vega("birdstrikes.csv"), Split = new SplitConfig { Group = "Airport Name" } },
            Training = new TrainingConfig { Epochs = 2, Threads = 2 },
        };
        var byGroup = TrainingRun.Run(birds, TestData.TempDirectory()).Metrics;
        Assert.Equal("excluded in data.exclude", byGroup.Columns.Single(c => c.Name == "Airport Name").Unused);
        Assert.Contains("no group column (data.split.group) named 'airport' — did you mean 'Airport Name'?", Assert.Throws<DataException>(() =>
            TrainingRun.Run(birds with { Data = birds.Data with { Split = new SplitConfig { Group = "airport" } } }, TestData.TempDirectory())).Message);
    }
}
