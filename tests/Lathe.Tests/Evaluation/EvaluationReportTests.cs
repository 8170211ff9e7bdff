using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Sources;
using Lathe.Evaluation;
using Lathe.Training;
using Microsoft.Playwright;

namespace Lathe.Tests.Evaluation;

[Collection(PenguinsCollection.Name)]
public class EvaluationReportTests(PenguinsRun penguins)
{
    [Fact]
    public async Task Penguins_report_renders_every_classification_figure_and_table_in_chromium()
    {
        var run = penguins.Result;
        var report = Path.Combine(run.OutputDirectory, EvaluationReport.FileName);
        var wrong = Mistakes(run);
        await Browser.Open(report, async page =>
        {
            Assert.Equal("Evaluation of 'Species'", await page.TitleAsync());
            // Two learning curves, the confusion matrix, calibration, ROC and precision–recall.
            await AssertFiguresLaidOut(page, 6);
            var classes = await page.Locator("table.per-class tbody tr td:first-child").AllInnerTextsAsync();
            Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], classes);
            Assert.Contains("roc_auc", await page.Locator("table.metrics").InnerTextAsync());
            Assert.Equal(Math.Min(12, wrong), await page.Locator("table.mistakes tbody tr").CountAsync());
            // The heat map writes a count in each of its 3 × 3 cells, and they add up to the test rows.
            var counts = await page.Locator("figure svg").Nth(2).EvaluateAsync<int[]>(
                "s => [...s.querySelectorAll('text')].map(t => t.textContent.trim()).filter(t => /^\\d+$/.test(t)).map(Number)");
            Assert.Equal(9, counts.Length);
            Assert.Equal(run.Metrics.Rows.Test, counts.Sum());
        }, screenshot: Path.Combine(run.OutputDirectory, "report.png"));
    }

    [Fact]
    public async Task Fashion_report_shows_the_most_confident_mistakes_as_thumbnails()
    {
        var (images, labels) = TestData.FashionSubset(400);
        var config = new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = images, Labels = labels },
            Model = new ModelConfig { Channels = [4], Dense = 16 },
            Training = new TrainingConfig { Epochs = 2, BatchSize = 64, Threads = 2 },
        };
        var run = TrainingRun.Run(config, TestData.TempDirectory());
        var wrong = Mistakes(run);
        Assert.True(wrong > 0, "two epochs on 280 images should leave mistakes to show");
        await Browser.Open(Path.Combine(run.OutputDirectory, EvaluationReport.FileName), async page =>
        {
            await AssertFiguresLaidOut(page, 6);
            Assert.Equal(10, await page.Locator("table.per-class tbody tr").CountAsync());
            var thumbnails = page.Locator("div.gallery img");
            Assert.Equal(Math.Min(12, wrong), await thumbnails.CountAsync());
            // Each thumbnail is a decoded 28×28 image the browser laid out at a real size.
            var sizes = await thumbnails.EvaluateAllAsync<double[][]>("s => s.map(e => [e.naturalWidth, e.naturalHeight, e.getBoundingClientRect().width])");
            Assert.All(sizes, s => Assert.Equal([28, 28], s[..2]));
            Assert.All(sizes, s => Assert.True(s[2] > 40, $"thumbnail width {s[2]}"));
            Assert.Matches("^record \\d+: \\d, predicted \\d \\(\\d", await page.Locator("div.gallery figcaption").First.InnerTextAsync());
        }, screenshot: Path.Combine(run.OutputDirectory, "report.png"));
    }

    [Fact]
    public async Task Cars_evaluation_report_shows_residuals_learning_curves_and_the_largest_errors()
    {
        var config = new PipelineConfig
        {
            Target = "Horsepower",
            Data = new DataConfig { Path = TestData.Vega("cars.json") },
            Training = new TrainingConfig { Epochs = 30, BatchSize = 32, Threads = 2 },
        };
        var run = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.True(File.Exists(Path.Combine(run.OutputDirectory, EvaluationReport.FileName)));
        var report = Path.Combine(TestData.TempDirectory(), "evaluation", EvaluationReport.FileName);
        var result = Evaluator.Evaluate(Bundle.Load(run.BundlePath), DataSource.Open(TestData.Vega("cars.json")).Read(), report, run.BundlePath);
        Assert.Equal(400, result.Rows);
        await Browser.Open(report, async page =>
        {
            Assert.Contains("scored on the data in cars.json (400 rows)", await page.Locator("p.muted").First.InnerTextAsync());
            // Learning curves (from the run's metrics.json), predicted against actual, residuals.
            await AssertFiguresLaidOut(page, 4);
            var metrics = await page.Locator("table.metrics td:first-child").AllInnerTextsAsync();
            Assert.Equal(["mae", "mape", "r2", "rmse"], metrics);
            Assert.Equal(12, await page.Locator("table.mistakes tbody tr").CountAsync());
            var header = await page.Locator("table.mistakes th").AllInnerTextsAsync();
            Assert.Equal(["row", "actual", "predicted", "error", "Name", "Miles_per_Gallon"], header.Take(6));
        }, screenshot: Path.Combine(Path.GetDirectoryName(report)!, "report.png"));
    }

    [Fact]
    public async Task Two_target_report_with_cross_validation_renders_per_target_plots_and_the_fold_table_in_chromium()
    {
        var config = Training.SeveralTargetsTests.CarsRegression() with
        {
            Training = Training.SeveralTargetsTests.CarsRegression().Training with { Epochs = 20, Cv = 2 },
        };
        var run = TrainingRun.Run(config, TestData.TempDirectory());
        await Browser.Open(Path.Combine(run.OutputDirectory, EvaluationReport.FileName), async page =>
        {
            // Learning curves (2), then predicted against actual and residuals for each of the two targets.
            await AssertFiguresLaidOut(page, 6);
            var metrics = await page.Locator("table.metrics td:first-child").AllInnerTextsAsync();
            Assert.Contains("r2[Horsepower]", metrics);
            Assert.Contains("r2[Miles_per_Gallon]", metrics);
            // The fold table: one row per metric, each a mean ± std.
            var folds = await page.Locator("table.cv tbody tr").AllInnerTextsAsync();
            Assert.Contains(folds, row => row.StartsWith("r2") && row.Contains('±'));
        }, screenshot: Path.Combine(run.OutputDirectory, "report.png"));
    }

    [Fact]
    public async Task Multilabel_report_renders_the_per_label_table_in_chromium()
    {
        var config = Training.SeveralTargetsTests.CarsMultilabel(Training.SeveralTargetsTests.CarsLabels());
        var run = TrainingRun.Run(config with { Training = config.Training with { Epochs = 10 } }, TestData.TempDirectory());
        await Browser.Open(Path.Combine(run.OutputDirectory, EvaluationReport.FileName), async page =>
        {
            var labels = await page.Locator("table.per-label tbody tr td:first-child").AllInnerTextsAsync();
            Assert.Equal(Training.SeveralTargetsTests.Labels, labels);
            Assert.Contains("hamming_loss", await page.Locator("table.metrics").InnerTextAsync());
            var heights = await page.Locator("figure svg").EvaluateAllAsync<double[]>("s => s.map(e => e.getBoundingClientRect().height)");
            Assert.NotEmpty(heights);
            Assert.All(heights, h => Assert.True(h > 150, $"plot height {h}"));
        }, screenshot: Path.Combine(run.OutputDirectory, "report.png"));
    }

    private static int Mistakes(TrainResult run)
    {
        var classes = run.Metrics.ConfusionMatrix!;
        return (int)(classes.Sum(r => r.Sum()) - classes.Select((r, i) => r[i]).Sum());
    }

    private static async Task AssertFiguresLaidOut(IPage page, int count)
    {
        var heights = await page.Locator("figure svg").EvaluateAllAsync<double[]>("s => s.map(e => e.getBoundingClientRect().height)");
        Assert.Equal(count, heights.Length);
        Assert.All(heights, h => Assert.True(h > 150, $"plot height {h}"));
    }
}
