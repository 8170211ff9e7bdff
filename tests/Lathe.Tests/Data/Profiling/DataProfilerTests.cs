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
}
