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

    /// <summary>Lines against a shared x axis (learning curves: one series per quantity, x the epoch).</summary>
    public static string Lines(IReadOnlyList<(string Name, double[] X, double[] Y)> series, string xLabel, string yLabel, int width = 520, int height = 300)
    {
        var plot = new Plot();
        for (var i = 0; i < series.Count; i++)
        {
            var line = plot.Add.Scatter(series[i].X, series[i].Y, Palette.GetColor(i));
            // One series is named by the axis label; a legend would only cover the line.
            if (series.Count > 1) line.LegendText = series[i].Name;
            line.LineWidth = 2;
            line.MarkerSize = series[i].X.Length > 40 ? 0 : 4;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (series.Count > 1) plot.ShowLegend(Alignment.UpperRight);
        return plot.GetSvgXml(width, height);
    }

    /// <summary>Curves in the unit square (ROC, precision–recall, reliability), each named in the legend, with an
    /// optional dashed diagonal as the reference (chance for ROC, perfect calibration for reliability).</summary>
    public static string UnitCurves(IReadOnlyList<(string Name, double[] X, double[] Y)> curves, string xLabel, string yLabel,
        bool diagonal, Alignment legend = Alignment.LowerRight, int width = 520, int height = 400)
    {
        var plot = new Plot();
        if (diagonal)
        {
            var reference = plot.Add.Line(0, 0, 1, 1);
            reference.LinePattern = LinePattern.Dashed;
            reference.Color = Colors.Gray;
            reference.LineWidth = 1;
        }
        for (var i = 0; i < curves.Count; i++)
        {
            var (x, y) = Thin(curves[i].X, curves[i].Y, 400);
            var line = plot.Add.Scatter(x, y, Palette.GetColor(i));
            line.LegendText = curves[i].Name;
            line.LineWidth = 2;
            line.MarkerSize = x.Length > 20 ? 0 : 5;
        }
        plot.Axes.SetLimits(-0.02, 1.02, -0.02, 1.02);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        return plot.GetSvgXml(width, height);
    }

    /// <summary>A square matrix of counts as coloured cells with the count written in each (confusion matrix:
    /// rows are true classes from the top, columns predicted). Colour follows the share of the row.</summary>
    public static string Heatmap(long[,] counts, IReadOnlyList<string> labels, string xLabel, string yLabel, int size = 0)
    {
        var n = labels.Count;
        size = size > 0 ? size : Math.Clamp(160 + 44 * n, 320, 620);
        var plot = new Plot();
        var ticks = new List<Tick>();
        for (var r = 0; r < n; r++)
        {
            long total = 0;
            for (var c = 0; c < n; c++) total += counts[r, c];
            var y = n - 1 - r;
            ticks.Add(new Tick(y, Shorten(labels[r])));
            for (var c = 0; c < n; c++)
            {
                var share = total == 0 ? 0 : (double)counts[r, c] / total;
                var cell = plot.Add.Rectangle(c - 0.5, c + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = Bar.WithAlpha(0.06 + 0.94 * share);
                cell.LineColor = Colors.White;
                cell.LineWidth = 1;
                var text = plot.Add.Text(counts[r, c].ToString(CultureInfo.InvariantCulture), c, y);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = n > 8 ? 11 : 14;
                text.LabelFontColor = share > 0.5 ? Colors.White : Color.FromHex("#1d2430");
            }
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, n).Select(c => new Tick(c, Shorten(labels[c]))).ToArray());
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot.GetSvgXml(size, size);
    }

    /// <summary>Points (x, y), thinned evenly to at most 2,000, with a dashed reference line through
    /// (<paramref name="from"/>, <paramref name="from"/>·slope + intercept) and (to, …): y = x for predicted
    /// against actual, y = 0 for residuals.</summary>
    public static string Points(double[] x, double[] y, string xLabel, string yLabel, double slope, double intercept, int width = 520, int height = 400)
    {
        var (px, py) = Thin(x, y, 2000);
        var plot = new Plot();
        var points = plot.Add.ScatterPoints(px, py, Bar.WithAlpha(0.6));
        points.MarkerSize = 5;
        double from = px.Length == 0 ? 0 : px.Min(), to = px.Length == 0 ? 1 : px.Max();
        var reference = plot.Add.Line(from, from * slope + intercept, to, to * slope + intercept);
        reference.LinePattern = LinePattern.Dashed;
        reference.Color = Colors.Gray;
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot.GetSvgXml(width, height);
    }

    /// <summary>At most <paramref name="max"/> evenly spaced points, always keeping the last.</summary>
    private static (double[] X, double[] Y) Thin(double[] x, double[] y, int max)
    {
        if (x.Length <= max) return (x, y);
        var tx = new double[max];
        var ty = new double[max];
        for (var i = 0; i < max; i++)
        {
            var j = (int)((long)i * (x.Length - 1) / (max - 1));
            tx[i] = x[j];
            ty[i] = y[j];
        }
        return (tx, ty);
    }

    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    private static string Shorten(string label) => label.Length <= 22 ? label : label[..21] + "…";

    public static string Number(double value) =>
        Math.Abs(value) >= 1e6 || (Math.Abs(value) < 1e-3 && value != 0)
            ? value.ToString("0.###e0", CultureInfo.InvariantCulture)
            : value.ToString("#,0.###", CultureInfo.InvariantCulture);
}
