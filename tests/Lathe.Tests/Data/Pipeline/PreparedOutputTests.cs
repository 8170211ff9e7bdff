using System.Text.Json.Nodes;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Tests.Cli;

namespace Lathe.Tests.Data.Pipeline;

public class PreparedOutputTests
{
    [Fact]
    public async Task Prepare_writes_each_part_as_the_model_sees_it()
    {
        var directory = TestData.TempDirectory();
        var config = Path.Combine(directory, "penguins.yaml");
        File.WriteAllText(config, $"target: Species\ndata: {{ path: {TestData.Vega("penguins.json")} }}\nprepare: {{ scale: minmax, missing_indicators: true }}\n");
        var run = LatheProcess.Run(directory, "prepare", config, "--out", "prepared");
        Assert.True(run.ExitCode == 0, run.Error);

        var prepared = Preparation.Run(ConfigReader.Load(config), TestData.TempDirectory());
        var counts = new Dictionary<string, int> { ["train"] = prepared.Rows.Train, ["validation"] = prepared.Rows.Validation, ["test"] = prepared.Rows.Test };
        foreach (var (part, rows) in counts)
        {
            var table = DataSource.Open(Path.Combine(directory, "prepared", $"{part}.parquet")).Read();
            Assert.Equal([.. prepared.Pipeline.FeatureNames, "Species"], table.ColumnNames);
            Assert.Equal(rows, table.RowCount);
            Assert.Contains("Beak Length (mm).missing", table.ColumnNames);
        }
        // Min-max scaling fitted on training: the training part spans exactly 0 to 1.
        var train = DataSource.Open(Path.Combine(directory, "prepared", "train.parquet")).Read();
        var flipper = ((NumericColumn)train["Flipper Length (mm)"]).Values;
        Assert.Equal((0.0, 1.0), (flipper.Min(), flipper.Max()));
        Assert.Equal(prepared.Train.RowCount, ((StringColumn)train["Species"]).Values.Count(v => v is "Adelie" or "Chinstrap" or "Gentoo"));

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "prepared", PreparedOutput.JsonFile)))!;
        Assert.Equal(344, summary["rows"]!["train"]!.GetValue<int>() + summary["rows"]!["validation"]!.GetValue<int>() + summary["rows"]!["test"]!.GetValue<int>());
        var report = Path.Combine(directory, "prepared", PreparedOutput.ReportFile);
        Assert.Contains("missing numbers filled with", File.ReadAllText(report));
        Assert.Contains("(minmax)", File.ReadAllText(report));

        // What a person sees: the row counts, the class plots of the three parts laid out at a real size, and a
        // line per fitted choice.
        await Browser.Open(report, async page =>
        {
            Assert.Equal("Preparation of 'Species'", await page.TitleAsync());
            var rows = await page.Locator("table").First.Locator("tbody tr").AllInnerTextsAsync();
            Assert.Contains(rows, r => r.StartsWith("train") && r.Contains(prepared.Rows.Train.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var plots = await page.Locator("figure svg").EvaluateAllAsync<double[]>("s => s.map(e => e.getBoundingClientRect().height)");
            Assert.Equal(3, plots.Length);
            Assert.All(plots, h => Assert.True(h > 100, $"plot height {h}"));
            var choices = await page.Locator("ul li").AllInnerTextsAsync();
            Assert.Contains(choices, c => c.StartsWith("'Flipper Length (mm)': scaled as", StringComparison.Ordinal));
            Assert.Contains(choices, c => c.StartsWith("'Island': one-hot over 3 categories", StringComparison.Ordinal));
        }, screenshot: Path.Combine(directory, "preparation.png"));
    }

    [Fact]
    public void Images_are_written_as_raw_bytes_with_their_labels()
    {
        var config = new PipelineConfig { Target = "label", Data = new DataConfig { Path = TestData.FashionTestImages, Labels = TestData.FashionTestLabels } };
        var directory = TestData.TempDirectory();
        var prepared = Preparation.Run(config, directory);
        PreparedOutput.Write(prepared, directory);
        var test = DataSource.Open(Path.Combine(directory, "test.parquet")).Read();
        Assert.Equal(["image", "label"], test.ColumnNames);
        Assert.Equal(1500, test.RowCount);
        var images = Assert.IsType<ImageColumn>(test["image"]);
        Assert.Equal((1, 28, 28), (images.Channels, images.Height, images.Width));
        Assert.Equal(((ImageColumn)prepared.Test["image"]).Pixels, images.Pixels);

        // Read again and again, the training part is the same every time. Parquet.Net hands strings out as
        // characters in its own pooled buffers; kept past the read while other cores worked, labels came back
        // changed now and then.
        var train = Path.Combine(directory, "train.parquet");
        var labels = ((StringColumn)DataSource.Open(train).Read()["label"]).Values;
        Assert.Equal(prepared.Train.RowCount, labels.Length);
        for (var i = 0; i < 15; i++) Assert.Equal(labels, ((StringColumn)DataSource.Open(train).Read()["label"]).Values);
    }

    [Fact]
    public void Images_cropped_to_a_rectangle_read_back_at_their_shape()
    {
        var (images, labels) = TestData.FashionSubset(300);
        var config = new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = images, Labels = labels },
            Prepare = new PrepareConfig { Image = new ImageConfig { Crop = [24, 20] } },
        };
        var directory = TestData.TempDirectory();
        var prepared = Preparation.Run(config, directory);
        PreparedOutput.Write(prepared, directory);
        var test = (ImageColumn)DataSource.Open(Path.Combine(directory, "test.parquet")).Read()["image"];
        Assert.Equal((1, 24, 20), (test.Channels, test.Height, test.Width));
        Assert.Equal(((ImageColumn)prepared.Pipeline.TransformTable(prepared.Test)["image"]).Pixels, test.Pixels);
        var report = System.Net.WebUtility.HtmlDecode(File.ReadAllText(Path.Combine(directory, PreparedOutput.ReportFile)));
        Assert.Contains("center crop 1×28×28 (channels×height×width) → 1×24×20", report);
    }
}
