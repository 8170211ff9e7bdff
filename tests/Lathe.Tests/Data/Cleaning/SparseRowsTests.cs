using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Cleaning;

public class SparseRowsTests
{
    [Fact]
    public void Penguins_missing_every_measurement_are_dropped_before_the_split_and_counted()
    {
        // Two penguins (an Adelie and a Gentoo) have no measurements and no sex: 5 of 6 features missing. Rows
        // missing only the sex (1 of 6) stay.
        var config = TestData.Penguins() with { Prepare = new PrepareConfig { DropRowsAbove = 0.5 } };
        var prepared = Preparation.Run(config, TestData.TempDirectory());
        Assert.Equal(2, prepared.Rows.SparseRowsDropped);
        Assert.Equal(342, prepared.Rows.Train + prepared.Rows.Validation + prepared.Rows.Test);
        foreach (var part in new[] { prepared.Train, prepared.Validation, prepared.Test })
            Assert.DoesNotContain(Enumerable.Range(0, part.RowCount), row => part["Body Mass (g)"].IsMissing(row));

        // Kept by default: every row is used, and nothing is counted.
        var all = Preparation.Run(TestData.Penguins(), TestData.TempDirectory());
        Assert.Equal((0, 344), (all.Rows.SparseRowsDropped, all.Rows.Train + all.Rows.Validation + all.Rows.Test));
    }

    [Fact]
    public void The_threshold_must_be_a_share()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigReader.Parse("target: Species\ndata: {path: penguins.json}\nprepare: {drop_rows_above: 1.5}\n"));
        Assert.Contains("prepare.drop_rows_above", error.Message);
    }
}
