using System.Globalization;
using ScottPlot;

namespace Lathe.Reporting;

/// <summary>The plots reports embed, drawn with ScottPlot as SVG text so a report stays one file.</summary>
public static class Charts
{
    private static readonly Color Bar = Color.FromHex("#3b6ea8");

    /// <summary>A histogram from bin ranges and counts.</summary>
    public static string Histogram(IReadOnlyList<(double From, double To, int Count)> bins, string xLabel, int width = 420, int height = 240)
    {
        var plot = new Plot();
        foreach (var (from, to, count) in bins)
            plot.Add.Bar(new ScottPlot.Bar { Position = (from + to) / 2, Value = count, Size = (to - from) * 0.95, FillColor = Bar, LineWidth = 0 });
        plot.XLabel(xLabel);
        plot.YLabel("rows");
        plot.Axes.Margins(bottom: 0);
        return plot.GetSvgXml(width, height);
    }

    /// <summary>Horizontal bars, one per label, largest at the top.</summary>
    public static string Bars(IReadOnlyList<(string Label, int Count)> bars, string xLabel, int width = 420, int height = 0)
    {
        height = height > 0 ? height : Math.Max(140, 40 + 22 * bars.Count);
        var plot = new Plot();
        var ticks = new List<Tick>();
        for (var i = 0; i < bars.Count; i++)
        {
            var position = bars.Count - 1 - i;
            plot.Add.Bar(new ScottPlot.Bar { Position = position, Value = bars[i].Count, FillColor = Bar, LineWidth = 0, Orientation = Orientation.Horizontal });
            ticks.Add(new Tick(position, Shorten(bars[i].Label)));
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.XLabel(xLabel);
        plot.Axes.Margins(left: 0);
        return plot.GetSvgXml(width, height);
    }

    private static string Shorten(string label) => label.Length <= 22 ? label : label[..21] + "…";

    public static string Number(double value) =>
        Math.Abs(value) >= 1e6 || (Math.Abs(value) < 1e-3 && value != 0)
            ? value.ToString("0.###e0", CultureInfo.InvariantCulture)
            : value.ToString("#,0.###", CultureInfo.InvariantCulture);
}
