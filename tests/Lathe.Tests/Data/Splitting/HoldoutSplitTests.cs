using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Data.Splitting;

namespace Lathe.Tests.Data.Splitting;

public class HoldoutSplitTests
{
    private static long[] PenguinClasses()
    {
        var table = DataSource.Open(TestData.Vega("penguins.json")).Read();
        return FittedTarget.Fit(table["Species"], TaskKind.Classification, []).EncodeClasses(table);
    }

    [Fact]
    public void Stratified_split_keeps_each_species_share_in_every_part()
    {
        var classes = PenguinClasses();
        var parts = HoldoutSplit.Split(classes.Length, new SplitConfig(), seed: 7, classes);
        foreach (var (rows, fraction) in new[] { (parts.Train, 0.7), (parts.Validation, 0.15), (parts.Test, 0.15) })
        {
            foreach (var group in classes.GroupBy(c => c))
            {
                var expected = group.Count() * fraction;
                var actual = rows.Count(r => classes[r] == group.Key);
                Assert.InRange(actual, expected - 1, expected + 1);
            }
        }
    }

    [Fact]
    public void Parts_are_disjoint_and_cover_every_row()
    {
        var classes = PenguinClasses();
        var parts = HoldoutSplit.Split(classes.Length, new SplitConfig(), seed: 7, classes);
        var all = parts.Train.Concat(parts.Validation).Concat(parts.Test).ToArray();
        Assert.Equal(classes.Length, all.Length);
        Assert.Equal(Enumerable.Range(0, classes.Length), all.Order());
    }

    [Fact]
    public void Same_seed_gives_the_same_split_and_another_seed_another()
    {
        var classes = PenguinClasses();
        var a = HoldoutSplit.Split(classes.Length, new SplitConfig(), 1, classes);
        var b = HoldoutSplit.Split(classes.Length, new SplitConfig(), 1, classes);
        var c = HoldoutSplit.Split(classes.Length, new SplitConfig(), 2, classes);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Test, c.Test);
    }

    [Fact]
    public void A_rare_class_keeps_a_training_row()
    {
        long[] classes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        var parts = HoldoutSplit.Split(classes.Length, new SplitConfig { Train = 0.5, Validation = 0.25, Test = 0.25 }, 3, classes);
        Assert.Contains(10, parts.Train);
    }

    [Fact]
    public void Many_small_classes_still_give_every_part_its_share()
    {
        // iowa-electricity by year: 17 years of 3 rows each. Rounding per class would leave validation empty.
        var table = DataSource.Open(TestData.Vega("iowa-electricity.csv")).Read();
        var classes = FittedTarget.Fit(table["year"], TaskKind.Classification, []).EncodeClasses(table);
        var parts = HoldoutSplit.Split(classes.Length, new SplitConfig(), 42, classes);
        Assert.Equal(Math.Round(classes.Length * 0.15, MidpointRounding.AwayFromZero), parts.Validation.Length);
        Assert.Equal(Math.Round(classes.Length * 0.15, MidpointRounding.AwayFromZero), parts.Test.Length);
        Assert.All(classes.Distinct(), c => Assert.Contains(parts.Train, r => classes[r] == c));
        Assert.All(classes.GroupBy(c => c), g => Assert.InRange(parts.Validation.Count(r => classes[r] == g.Key), 0, 1));
    }
}
