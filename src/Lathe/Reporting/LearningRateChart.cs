using System.Globalization;
using Lathe.Training;
using ScottPlot;

namespace Lathe.Reporting;

/// <summary>The plot <c>lathe lr-find</c> writes: loss (raw and smoothed) against the learning rate on a log
/// axis, with the suggested rate marked.</summary>
public static class LearningRateChart
{
    public static string Svg(LearningRateSweep sweep, int width = 640, int height = 400)
    {
        var plot = new Plot();
        var x = sweep.Rates.Select(r => Math.Log10(r)).ToArray();
        var raw = plot.Add.Scatter(x, sweep.Losses.ToArray());
        raw.LineWidth = 1;
        raw.MarkerSize = 0;
        raw.Color = Color.FromHex("#b8c7dc");
        raw.LegendText = "loss per batch";
        var smooth = plot.Add.Scatter(x, sweep.Smoothed.ToArray());
        smooth.LineWidth = 2;
        smooth.MarkerSize = 0;
        smooth.Color = Color.FromHex("#3b6ea8");
        smooth.LegendText = "smoothed";
        var line = plot.Add.VerticalLine(Math.Log10(sweep.Suggested));
        line.Color = Color.FromHex("#c0392b");
        line.LegendText = $"suggested {sweep.Suggested.ToString("0.##e0", CultureInfo.InvariantCulture)}";
        var ticks = new List<Tick>();
        for (var p = (int)Math.Floor(x.Min()); p <= (int)Math.Ceiling(x.Max()); p++) ticks.Add(new Tick(p, $"1e{p}"));
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        // The exploding tail would flatten the curve; show up to a little above the first loss.
        var top = Math.Max(sweep.Smoothed[0], sweep.Smoothed.Min()) * 1.5;
        plot.Axes.SetLimitsY(Math.Min(0, sweep.Losses.Min()), Math.Min(top, sweep.Losses.Max()) * 1.05);
        plot.XLabel("learning rate");
        plot.YLabel("training loss");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetSvgXml(width, height);
    }
}
