using Lathe.Data.Profiling;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Tests.Cli;

namespace Lathe.Tests.Data.Profiling;

public class DataProfilerTests
{
    [Fact]
    public void Cars_profile_finds_missing_values_free_text_and_associations_with_mpg()
    {
        var profile = DataProfiler.Profile(DataSource.Open(TestData.Vega("cars.json")).Read(), "Miles_per_Gallon");
        var horsepower = profile.Columns.Single(c => c.Name == "Horsepower");
        Assert.Equal(6, horsepower.Missing);
        Assert.Equal(46, horsepower.Min);
        Assert.Equal(230, horsepower.Max);
        Assert.InRange(horsepower.Association!.Value, 0.7, 0.85);
        Assert.Equal("|Pearson r|", horsepower.AssociationMeasure);
        Assert.Equal(20, horsepower.Histogram.Count);
        Assert.Equal(400, horsepower.Histogram.Sum(b => b.Count));
        Assert.Equal(ColumnType.Text, profile.Columns.Single(c => c.Name == "Name").Type);
        Assert.Contains(profile.Warnings, w => w.ToString() == "'Horsepower' is 1.48% missing → median impute");
        Assert.Contains(profile.Warnings, w => w.Column == "Name" && w.Fix.StartsWith("exclude it"));
    }

    [Fact]
    public void An_imbalanced_target_is_reported_with_its_ratio_and_fix()
    {
        var profile = DataProfiler.Profile(DataSource.Open(TestData.Vega("birdstrikes.csv")).Read(), "Effect Amount of damage");
        Assert.Equal("None", profile.TargetBalance[0].Class);
        Assert.Equal(10_000, profile.TargetBalance.Sum(b => b.Count));
        var warning = Assert.Single(profile.Warnings, w => w.Problem.StartsWith("classes 1:"));
        Assert.Equal("stratify and weight classes; judge by macro F1, not accuracy", warning.Fix);
    }

    [Fact]
    public void Duplicate_rows_and_constant_columns_are_counted()
    {
        var file = Path.Combine(TestData.TempDirectory(), "weather-twice.csv");
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));
        File.WriteAllLines(file, [lines[0] + ",station", .. lines[1..].Concat(lines[1..101]).Select(l => l + ",SEA")]);
        var profile = DataProfiler.Profile(DataSource.Open(file).Read(), "weather");
        Assert.Equal(1561, profile.Rows);
        Assert.Equal(100, profile.DuplicateRows);
        Assert.Equal(["station"], profile.ConstantColumns);
        Assert.Contains(profile.Warnings, w => w.Problem.StartsWith("100 row(s) repeat an earlier row"));
        Assert.Equal(0, profile.Columns.Single(c => c.Name == "station").Association);
        Assert.Equal("correlation ratio η", profile.Columns.Single(c => c.Name == "temp_max").AssociationMeasure);
        Assert.Contains(profile.Warnings, w => w.Problem == "'station' has a single value" && w.Fix.Contains("lathe init excludes it"));
        Assert.Equal("one value: lathe init excludes it", profile.Columns.Single(c => c.Name == "station").Use);
        Assert.Equal("feature", profile.Columns.Single(c => c.Name == "wind").Use);

        // Every line ending with a comma, as some exports write it: an unnamed column, empty in every row, said as such.
        var trailing = Path.Combine(TestData.TempDirectory(), "weather-trailing.csv");
        File.WriteAllLines(trailing, lines.Select(l => l + ","));
        profile = DataProfiler.Profile(DataSource.Open(trailing).Read(), "weather");
        Assert.Equal(["column_7"], profile.ConstantColumns);
        var warning = Assert.Single(profile.Warnings, w => w.Column == "column_7");
        Assert.Equal("'column_7' is empty in every row (an unnamed column, as a delimiter at the end of every line makes)", warning.Problem);
        Assert.Equal("nothing to do: it is not used as a feature", warning.Fix);
    }

    [Fact]
    public async Task Profile_report_renders_in_chromium_with_a_plot_per_column()
    {
        var directory = TestData.TempDirectory();
        var report = Path.Combine(directory, "penguins.html");
        var run = LatheProcess.Run(directory, "profile", TestData.Vega("penguins.json"), "--target", "Species", "--out", report);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("'Sex' is 2.91% missing → mode impute", run.Out);
        Assert.Contains("'Sex' has '.' only once among 3 categories", run.Out);

        await Browser.Open(report, async page =>
        {
            Assert.Equal("Profile of penguins.json", await page.TitleAsync());
            Assert.Equal(7, await page.Locator("table.summary tbody tr").CountAsync());
            Assert.Equal(7, await page.Locator("section.column").CountAsync());
            // Every column panel and the target balance carry a plot that the browser laid out with a real size.
            var plots = await page.Locator("figure svg").EvaluateAllAsync<double[]>("s => s.map(e => e.getBoundingClientRect().height)");
            Assert.Equal(8, plots.Length);
            Assert.All(plots, h => Assert.True(h > 100, $"plot height {h}"));
            var warnings = await page.Locator("ul.warnings li").AllInnerTextsAsync();
            Assert.Contains("'Beak Length (mm)' is 0.58% missing → median impute", warnings);
        }, screenshot: Path.Combine(directory, "penguins.png"));
    }

    private static string Json(DataProfile profile) =>
        System.Text.Json.JsonSerializer.Serialize(profile, new System.Text.Json.JsonSerializerOptions { IncludeFields = true, WriteIndented = true });

    [Theory]
    [InlineData("cars.json", "Miles_per_Gallon", 100_000)]
    [InlineData("birdstrikes.csv", "Effect Amount of damage", 100_000)]
    [InlineData("seattle-weather.csv", "weather", 100)]
    [InlineData("penguins.json", "Species", 100_000)]
    [InlineData("flights-20k.json", null, 100_000)]
    public void Streamed_profile_of_a_table_that_fits_in_the_sample_is_the_in_memory_profile(string file, string? target, int batchRows)
    {
        var source = DataSource.Open(TestData.Vega(file));
        var streamed = DataProfiler.Profile(source, target, batchRows: batchRows);
        Assert.Null(streamed.SampleRows);
        Assert.Equal(Json(DataProfiler.Profile(source.Read(), target)), Json(streamed));
    }

    [Fact]
    public void Streamed_profile_of_a_table_larger_than_the_sample_agrees_with_the_in_memory_profile()
    {
        var file = Path.Combine(TestData.TempDirectory(), "flights.csv");
        var table = DataSource.Open(TestData.Vega("flights-200k.arrow")).Read();
        File.WriteAllLines(file, [string.Join(",", table.ColumnNames), .. Enumerable.Range(0, table.RowCount).Select(table.RowText), .. Enumerable.Range(0, 500).Select(table.RowText)]);
        var source = DataSource.Open(file);
        var whole = DataProfiler.Profile(source.Read(), "delay");
        var rows = new List<long>();
        var streamed = DataProfiler.Profile(source, "delay", progress: new Inline<long>(rows.Add), batchRows: 30_000);

        Assert.Equal(200_500, streamed.Rows);
        Assert.Equal(rows.Order(), rows);
        Assert.Equal(200_500, rows[^1]);
        Assert.Equal(100_000, streamed.SampleRows);
        Assert.Contains("from a sample of 100,000 rows", ProfileReport.Render(streamed).ToString());
        Assert.Equal(whole.DuplicateRows, streamed.DuplicateRows);
        Assert.True(whole.DuplicateRows >= 500);
        foreach (var (w, s) in whole.Columns.Zip(streamed.Columns))
        {
            Assert.Equal((w.Name, w.Type, w.Missing, w.Stray, w.Min, w.Max, w.First, w.Last), (s.Name, s.Type, s.Missing, s.Stray, s.Min, s.Max, s.First, s.Last));
            Assert.Equal(w.Distinct, s.Distinct);
            Assert.Equal(w.TopValues, s.TopValues);
            if (w.Mean is { } mean)
            {
                Assert.Equal(mean, s.Mean!.Value, 1e-9 * Math.Max(1, Math.Abs(mean)));
                Assert.Equal(w.Std!.Value, s.Std!.Value, 1e-9 * Math.Max(1, w.Std.Value));
                Assert.Equal(w.Skewness!.Value, s.Skewness!.Value, 1e-6);
                // The histogram comes from the sample, scaled to the rows: each bin within a few percent of the rows.
                Assert.Equal(w.Histogram.Select(b => (b.From, b.To)), s.Histogram.Select(b => (b.From, b.To)));
                Assert.All(w.Histogram.Zip(s.Histogram), p => Assert.InRange(p.Second.Count - p.First.Count, -0.02 * streamed.Rows, 0.02 * streamed.Rows));
            }
            if (w.Association is { } association) Assert.Equal(association, s.Association!.Value, 0.03);
        }
    }

    /// <summary>Reports on the calling thread, as the profiler finishes each batch.</summary>
    internal sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>Runs alone (no other test allocating beside it), so that the heap after a full collection is the profiler's.</summary>
[CollectionDefinition(nameof(ProfileMemory), DisableParallelization = true)]
[Collection(nameof(ProfileMemory))]
public class ProfileMemory
{
    [Fact]
    public void Profiling_three_million_flights_in_batches_holds_far_less_than_the_table()
    {
        var source = DataSource.Open(TestData.Vega("flights-3m.parquet"));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var held = new List<long>();
        var batches = 0;
        // A full collection after every sixth batch (each costs a few hundred milliseconds): what the profiler still holds.
        var profile = DataProfiler.Profile(source, progress: new DataProfilerTests.Inline<long>(_ =>
        {
            if (++batches % 6 == 0) held.Add(GC.GetTotalMemory(forceFullCollection: true) - before);
        }));
        Assert.Equal(3_000_000, profile.Rows);
        var distance = profile.Columns.Single(c => c.Name == "distance");
        Assert.InRange(distance.Histogram.Sum(b => b.Count), profile.Rows - distance.Missing - 20, profile.Rows - distance.Missing + 20);
        var origin = profile.Columns.Single(c => c.Name == "origin");
        Assert.False(origin.DistinctEstimated);
        Assert.True(batches >= 30);
        // Three million rows as columns take over 300 MB; the profiler holds its sample, its capped counts, 8 bytes a
        // row of hashes, and the Parquet row group being cut into batches.
        Assert.True(held.Max() < 150 << 20, $"held {string.Join(" ", held.Select(h => h >> 20))} MiB");
    }
}
