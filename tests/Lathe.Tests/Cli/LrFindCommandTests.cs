using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Lathe.Tests.Cli;

public class LrFindCommandTests
{
    [Fact]
    public void Lr_find_on_penguins_writes_the_plot_and_prints_a_finite_suggestion()
    {
        var dir = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "config.yaml"),
            $"target: Species\ndata:\n  path: {TestData.Vega("penguins.json")}\nmodel:\n  layers: [64, 32]\ntraining:\n  batch_size: 32\n  threads: 2\n");
        var run = LatheProcess.Run(dir, "lr-find", "config.yaml", "--out", "lr.svg", "--steps", "80");
        Assert.True(run.ExitCode == 0, run.Error);
        var svg = XDocument.Load(Path.Combine(dir, "lr.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains("learning rate", svg.ToString());
        var match = Regex.Match(run.Out, @"Suggested learning_rate: (\S+)");
        Assert.True(match.Success, run.Out);
        var suggested = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        // Penguins with Adam: somewhere between a slow 1e-4 and an unstable 1.
        Assert.InRange(suggested, 1e-4, 1);
    }

    [Fact]
    public void Lr_find_with_an_empty_range_exits_1()
    {
        var dir = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "config.yaml"), $"target: Species\ndata:\n  path: {TestData.Vega("penguins.json")}\ntraining:\n  threads: 2\n");
        var run = LatheProcess.Run(dir, "lr-find", "config.yaml", "--from", "1", "--to", "0.1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("0 < from < to", run.Error);
    }
}
