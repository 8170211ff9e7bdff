using System.Net;
using System.Text;

namespace Lathe.Reporting;

/// <summary>Builds one self-contained HTML page (inline CSS, plots as inline SVG, no scripts or links to
/// fetch), so a report can be mailed, archived or opened offline.</summary>
public sealed partial class HtmlReport(string title)
{
    private readonly StringBuilder _body = new();
    private readonly Stack<string> _open = new();

    public HtmlReport Heading(string text, int level = 2, string? id = null)
    {
        var anchor = id is null ? "" : $" id=\"{Encode(id)}\"";
        _body.Append($"<h{level}{anchor}>{Encode(text)}</h{level}>\n");
        return this;
    }

    public HtmlReport Paragraph(string text, string? cssClass = null)
    {
        _body.Append(cssClass is null ? "<p>" : $"<p class=\"{cssClass}\">").Append(Encode(text)).Append("</p>\n");
        return this;
    }

    public HtmlReport List(IEnumerable<string> items, string? cssClass = null)
    {
        _body.Append(cssClass is null ? "<ul>" : $"<ul class=\"{cssClass}\">");
        foreach (var item in items) _body.Append("<li>").Append(Encode(item)).Append("</li>");
        _body.Append("</ul>\n");
        return this;
    }

    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? cssClass = null)
    {
        _body.Append(cssClass is null ? "<table>" : $"<table class=\"{cssClass}\">");
        // A table of name–value pairs needs no header row.
        if (header.Any(h => h.Length > 0))
        {
            _body.Append("<thead><tr>");
            foreach (var h in header) _body.Append("<th>").Append(Encode(h)).Append("</th>");
            _body.Append("</tr></thead>");
        }
        _body.Append("<tbody>");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row) _body.Append("<td>").Append(Encode(cell)).Append("</td>");
            _body.Append("</tr>");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>A plot (SVG text from <see cref="Charts"/>) with a caption.</summary>
    public HtmlReport Figure(string svg, string caption)
    {
        // An XML declaration has no place inside an HTML document.
        if (svg.StartsWith("<?xml")) svg = svg[(svg.IndexOf("?>", StringComparison.Ordinal) + 2)..].TrimStart();
        // ScottPlot gives a size but no viewBox; without one a plot narrower than its column is clipped, not scaled.
        var size = SvgSize().Match(svg);
        if (size.Success && !svg[..svg.IndexOf('>')].Contains("viewBox"))
            svg = svg.Insert(size.Index + size.Length, $" viewBox=\"0 0 {size.Groups[1].Value} {size.Groups[2].Value}\"");
        _body.Append("<figure>").Append(svg).Append("<figcaption>").Append(Encode(caption)).Append("</figcaption></figure>\n");
        return this;
    }

    /// <summary>Small pictures side by side, each a PNG embedded as a data URI with a caption.</summary>
    public HtmlReport Gallery(IEnumerable<(byte[] Png, string Caption)> pictures)
    {
        _body.Append("<div class=\"gallery\">");
        foreach (var (png, caption) in pictures)
            _body.Append("<figure class=\"thumb\"><img alt=\"").Append(Encode(caption)).Append("\" src=\"data:image/png;base64,")
                .Append(Convert.ToBase64String(png)).Append("\"><figcaption>").Append(Encode(caption)).Append("</figcaption></figure>");
        _body.Append("</div>\n");
        return this;
    }

    /// <summary>Opens a block (a section, or a div inside one); every <see cref="Open"/> needs a <see cref="Close"/>.</summary>
    public HtmlReport Open(string cssClass, string element = "section")
    {
        _open.Push(element);
        _body.Append($"<{element} class=\"{cssClass}\">\n");
        return this;
    }

    public HtmlReport Close()
    {
        _body.Append($"</{_open.Pop()}>\n");
        return this;
    }

    public static string Percent(double share) =>
        (share * 100).ToString(share is > 0 and < 0.1 ? "0.0#" : "0.#", System.Globalization.CultureInfo.InvariantCulture) + "%";

    public override string ToString() => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{Encode(title)}</title>
        <meta name="generator" content="Lathe {LatheInfo.Version}">
        <style>{Style}</style></head>
        <body><h1>{Encode(title)}</h1>
        {_body}</body></html>
        """;

    public void Save(string path) => AtomicFile.WriteAllText(path, ToString());

    [System.Text.RegularExpressions.GeneratedRegex("^<svg[^>]*?width=\"([0-9.]+)\" height=\"([0-9.]+)\"")]
    private static partial System.Text.RegularExpressions.Regex SvgSize();

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Style = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2430;padding:0 1rem}
        h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #d8dde6;padding-bottom:.3rem}h3{margin:.2rem 0 .6rem}
        table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{padding:.3rem .7rem;border-bottom:1px solid #e5e8ee;text-align:left}
        th{background:#f3f5f8}td:not(:first-child){font-variant-numeric:tabular-nums}
        .warnings li{margin:.25rem 0}.muted{color:#667085}
        section.column{border:1px solid #e0e4ea;border-radius:6px;padding:1rem;margin:1rem 0;display:grid;grid-template-columns:minmax(280px,1fr) 440px;gap:1rem;align-items:start}
        section.column table{margin:0}figure{margin:0}figcaption{font-size:.8rem;color:#667085}svg{max-width:100%;height:auto}
        div.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:1.2rem;align-items:start;margin:.8rem 0}
        div.gallery{display:flex;flex-wrap:wrap;gap:.8rem}figure.thumb{width:120px;text-align:center}figure.thumb img{width:84px;height:84px;image-rendering:pixelated;border:1px solid #e0e4ea}
        table.metrics td:first-child{font-family:ui-monospace,monospace}
        table.mistakes{display:block;overflow-x:auto;max-width:100%}table.mistakes td:first-child{white-space:nowrap}
        """;
}
