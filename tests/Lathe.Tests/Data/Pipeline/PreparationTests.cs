using Lathe.Config;
using Lathe.Data.Pipeline;

namespace Lathe.Tests.Data.Pipeline;

public class PreparationTests
{
    private static int[] Lines(Lathe.Data.Table part) => Enumerable.Range(0, part.RowCount).Select(part.LineOf).Order().ToArray();

    [Fact]
    public void A_fixed_split_seed_keeps_the_parts_while_the_run_seed_varies()
    {
        var fixedSplit = new SplitConfig { Seed = 42 };
        var a = Preparation.Run(TestData.Penguins(seed: 42), TestData.TempDirectory());
        var b = Preparation.Run(TestData.Penguins(seed: 7) with { Data = TestData.Penguins().Data with { Split = fixedSplit } }, TestData.TempDirectory());
        var c = Preparation.Run(TestData.Penguins(seed: 7), TestData.TempDirectory());
        Assert.Equal(Lines(a.Train), Lines(b.Train));
        Assert.Equal(Lines(a.Test), Lines(b.Test));
        // Without it the run's seed deals the rows, as before the key existed.
        Assert.NotEqual(Lines(a.Test), Lines(c.Test));
    }
}
