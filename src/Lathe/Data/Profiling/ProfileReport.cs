using System.Globalization;
using Lathe.Data.Schema;
using Lathe.Reporting;

namespace Lathe.Data.Profiling;

/// <summary>Renders a <see cref="DataProfile"/> as one self-contained HTML page: an overview, the
/// warnings with their fixes, a summary table, then one panel per column with its statistics and plot.</summary>
public static class ProfileReport
{
    public static HtmlReport Render(DataProfile profile)
    {
        var report = new HtmlReport($"Profile of {profile.Source}");
        var overview = $"{profile.Rows:N0} rows, {profile.Columns.Count} columns";
        if (profile.Target is not null) overview += $"; target '{profile.Target}'";
        if (profile.Quarantined > 0) overview += $"; {profile.Quarantined} malformed row(s) set aside";
        if (profile.SampleRows is { } sample) overview += $"; histograms and associations from a sample of {sample:N0} rows";
        report.Paragraph(overview, "muted");

        report.Heading("Warnings", id: "warnings");
        if (profile.Warnings.Count == 0) report.Paragraph("Nothing to fix.");
        else report.List(profile.Warnings.Select(w => w.ToString()), "warnings");

        if (profile.TargetBalance.Count > 0)
        {
            report.Heading("Target balance", id: "target");
            report.Figure(Charts.Bars(profile.TargetBalance.Take(30).ToArray(), "rows"), $"Rows per class of '{profile.Target}'");
        }

        report.Heading("Columns", id: "columns");
        report.Table(["column", "type", "missing", "distinct", "association with target", "use"],
            profile.Columns.Select(c => (IReadOnlyList<string>)
            [
                c.Name,
                c.Type.ToString().ToLowerInvariant(),
                c.Missing == 0 ? "0" : $"{c.Missing} ({HtmlReport.Percent(c.MissingShare)})",
                c.DistinctText(),
                c.Association is { } a ? $"{a:0.00} ({c.AssociationMeasure})" : "",
                c.Use,
            ]), "summary");

        foreach (var column in profile.Columns)
        {
            report.Open("column").Open("stats", "div").Heading(column.Name, 3);
            report.Table(["", ""], Statistics(column).Select(p => (IReadOnlyList<string>)[p.Name, p.Value]));
            report.Close();
            if (Plot(column) is { } svg) report.Figure(svg, Caption(column));
            report.Close();
        }
        return report;
    }

    private static IEnumerable<(string Name, string Value)> Statistics(ColumnProfile c)
    {
        yield return ("type", c.Type.ToString().ToLowerInvariant());
        yield return ("missing", c.Missing == 0 ? "0" : $"{c.Missing} ({HtmlReport.Percent(c.MissingShare)})");
        yield return ("distinct", c.DistinctText());
        if (c.Min is { } min) yield return ("min", Charts.Number(min));
        if (c.Max is { } max) yield return ("max", Charts.Number(max));
        if (c.Mean is { } mean) yield return ("mean", Charts.Number(mean));
        if (c.Std is { } std) yield return ("std", Charts.Number(std));
        if (c.Skewness is { } skew) yield return ("skewness", skew.ToString("0.00", CultureInfo.InvariantCulture));
        if (c.First is not null) yield return ("first", c.First);
        if (c.Last is not null) yield return ("last", c.Last);
        if (c.Stray > 0) yield return ("values not of its type", c.Stray.ToString(CultureInfo.InvariantCulture));
        if (c.Association is { } a) yield return (c.AssociationMeasure!, a.ToString("0.000", CultureInfo.InvariantCulture));
        if (c.Use != "feature") yield return ("use", c.Use);
    }

    private static string? Plot(ColumnProfile c) => c.Type switch
    {
        ColumnType.Numeric when c.TopValues.Count is > 0 and <= 12 => Charts.Bars(c.TopValues, "rows"),
        ColumnType.Numeric when c.Histogram.Count > 0 => Charts.Histogram(c.Histogram, c.Name),
        ColumnType.Categorical or ColumnType.Boolean or ColumnType.Text when c.TopValues.Count > 0 => Charts.Bars(c.TopValues, "rows"),
        _ => null,
    };

    private static string Caption(ColumnProfile c) => c.Type switch
    {
        ColumnType.Numeric when c.TopValues.Count is > 0 and <= 12 => $"Rows per value of '{c.Name}'",
        ColumnType.Numeric => $"Distribution of '{c.Name}'",
        _ => c.Distinct > c.TopValues.Count ? $"The {c.TopValues.Count} most frequent of {c.Distinct:N0} values" : $"Rows per value of '{c.Name}'",
    };
}
