using System.Globalization;
using System.Text;

namespace Lathe.Data.Cleaning;

/// <summary>Rows set aside while reading or typing the data: never dropped silently, always written to
/// <c>quarantine.csv</c> (columns <c>line</c>, <c>reason</c>, <c>raw</c>) and counted. Past the limit
/// share of all rows, the run stops: that much damage means the file, not a few rows, is wrong.</summary>
public static class Quarantine
{
    public const string FileName = "quarantine.csv";

    public const string Header = "line,reason,raw";

    public static void Write(string path, IReadOnlyList<QuarantinedRow> rows)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var row in rows.OrderBy(r => r.Line)) Append(text, row).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>One row's line of the file: its line, why, and its raw text, as CSV fields.</summary>
    public static StringBuilder Append(StringBuilder text, QuarantinedRow row) =>
        text.Append(row.Line.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Csv(row.Reason)).Append(',').Append(Csv(row.Raw));

    /// <summary>Throws when the quarantined share of <paramref name="totalRows"/> is over <paramref name="limit"/>.</summary>
    public static void Check(string source, IReadOnlyCollection<QuarantinedRow> rows, int totalRows, double limit, string? writtenTo)
    {
        if (rows.Count == 0 || rows.Count <= limit * totalRows) return;
        var first = rows.OrderBy(r => r.Line).First();
        var where = writtenTo is null ? "" : $"; every one is listed in {writtenTo}";
        throw new DataException($"{source}: {rows.Count} of {totalRows} rows ({Percent((double)rows.Count / totalRows)}) are malformed, more than data.quarantine_limit allows ({Percent(limit)}) — the first, line {first.Line}: {first.Reason}{where}. Fix the file, or raise the limit if the damage is expected");
    }

    /// <summary>Sets aside every row with a value that does not fit its column's type, and returns the rows
    /// that remain with all the rows quarantined so far (the reader's and these).</summary>
    /// <summary>With <see cref="Config.BadValueHandling.Missing"/>: feature values that do not fit their type become
    /// missing instead, counted per column; only a regression target that is not a number still quarantines its row.</summary>
    public static (Table Clean, IReadOnlyList<QuarantinedRow> Quarantined, IReadOnlyDictionary<string, int> MadeMissing) Screen(
        Table raw, Schema.DataSchema schema, string? numericTarget, Config.BadValueHandling handling)
    {
        if (handling == Config.BadValueHandling.Quarantine)
        {
            var (clean, quarantined) = Screen(raw, schema, numericTarget);
            return (clean, quarantined, new Dictionary<string, int>());
        }
        var madeMissing = new Dictionary<string, int>(StringComparer.Ordinal);
        var repaired = raw;
        foreach (var (name, bad) in TypeCoercion.FindBadValues(raw, schema))
        {
            var values = (string?[])((StringColumn)raw[name]).Values.Clone();
            foreach (var (row, _) in bad) values[row] = null;
            repaired = repaired.Replace(column => column.Name == name ? [new StringColumn(name, values)] : null);
            madeMissing[name] = bad.Count;
        }
        // Images that cannot be read, and a regression target that is not a number, still set their row aside.
        var rest = new Schema.DataSchema(schema.Columns.Where(c => !c.IsFeature || c.Type == Schema.ColumnType.Image).ToArray());
        var (kept, set) = Screen(repaired, rest, numericTarget);
        return (kept, set, madeMissing);
    }

    public static (Table Clean, IReadOnlyList<QuarantinedRow> Quarantined) Screen(Table raw, Schema.DataSchema schema, string? numericTarget)
    {
        var bad = TypeCoercion.FindBadRows(raw, schema, numericTarget);
        var quarantined = raw.Quarantined.Concat(bad.Select(b => new QuarantinedRow(raw.LineOf(b.Row), b.Reason, raw.RowText(b.Row)))).ToArray();
        if (bad.Count == 0) return (raw, quarantined);
        var badRows = bad.Select(b => b.Row).ToHashSet();
        return (raw.Gather(Enumerable.Range(0, raw.RowCount).Where(r => !badRows.Contains(r)).ToArray()), quarantined);
    }

    /// <summary>For data that must be used whole (a fixed test set, rows to predict, rows to evaluate): any
    /// row the reader could not parse is an error naming it, never a silent gap.</summary>
    public static Table RequireNone(Table table)
    {
        if (table.Quarantined.Count == 0) return table;
        var first = table.Quarantined.MinBy(q => q.Line)!;
        throw new DataException($"{table.Source} line {first.Line}: {first.Reason} — {table.Quarantined.Count} row(s) cannot be read, and every row here must be; fix them (first raw line: {first.Raw})");
    }

    private static string Percent(double share) => (share * 100).ToString("0.0##", CultureInfo.InvariantCulture) + "%";

    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
