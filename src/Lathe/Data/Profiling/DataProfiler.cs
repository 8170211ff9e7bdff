using System.Globalization;
using Lathe.Config;
using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Data.Profiling;

/// <summary>Profiles a table in a few passes over its columns: types, missing values, statistics,
/// histograms and top categories, duplicate rows, constant columns, target balance and each column's
/// association with the target, then turns what it found into warnings with suggested fixes.</summary>
public static class DataProfiler
{
    public const int MaxDistinct = 100_000;
    internal const int HistogramBins = 20;
    internal const int TopCount = 12;

    public static DataProfile Profile(Table table, string? target = null, IReadOnlyCollection<string>? exclude = null)
    {
        if (target is not null && !table.Contains(target)) throw table.MissingColumn(target, "target column");
        var schema = SchemaInference.Infer(table, target ?? "", exclude);
        var task = target is null ? TaskKind.Auto : TaskInference.Infer(table[target]);
        var targetValues = target is null ? null : TargetValues(table[target], task);

        var columns = new List<ColumnProfile>();
        foreach (var spec in schema.Columns)
        {
            var column = Describe(table[spec.Name], spec);
            if (spec.Type == ColumnType.Numeric && spec.Name != target && RowNumbers.Number(table[spec.Name], out var start)) column = column with { CountsRowsFrom = start };
            if (targetValues is not null && spec.Name != target && spec.Type is not (ColumnType.Text or ColumnType.Image))
                column = column with { Association = Associate(table[spec.Name], spec.Type, targetValues, task, out var measure), AssociationMeasure = measure };
            columns.Add(column);
        }

        var balance = target is not null && task == TaskKind.Classification
            ? Count(Texts(table[target])).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToArray()
            : [];
        var constant = columns.Where(c => c.Distinct <= 1 && c.Type != ColumnType.Image).Select(c => c.Name).ToArray();
        var profile = new DataProfile
        {
            Source = table.Source,
            Rows = table.RowCount,
            Quarantined = table.Quarantined.Count,
            Target = target,
            Columns = columns,
            DuplicateRows = DuplicateRows(table),
            ConstantColumns = constant,
            TargetBalance = balance,
        };
        return profile with { Warnings = [.. Layout(table.Notes), .. Warn(profile, task)] };
    }

    /// <summary>What the reader decided about the file's layout (a preamble skipped, a header of numbers), first among the warnings.</summary>
    private static IEnumerable<ProfileWarning> Layout(IReadOnlyList<ReadNote> notes) => notes.Select(n => new ProfileWarning(null, n.Problem, n.Fix));

    /// <summary>Profiles a source in one pass over its batches. Data that fits in the sample
    /// (<see cref="ProfileSketch.SampleRows"/> rows) is profiled as one table, exactly as
    /// <see cref="Profile(Table, string?, IReadOnlyCollection{string}?)"/> does; larger data is profiled in bounded
    /// memory (<see cref="ProfileSketch"/>), its types inferred from the first rows.</summary>
    /// <param name="progress">Rows read so far, after each batch.</param>
    public static DataProfile Profile(IDataSource source, string? target = null, IReadOnlyCollection<string>? exclude = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default, int batchRows = ProfileSketch.SampleRows)
    {
        using var batches = source.ReadBatches(batchRows, cancellationToken).GetEnumerator();
        var head = new List<Table>();
        long rows = 0;
        var more = true;
        while (rows <= ProfileSketch.SampleRows && (more = batches.MoveNext()))
        {
            head.Add(batches.Current);
            rows += batches.Current.RowCount;
            progress?.Report(rows);
        }
        if (head.Count == 0) return Profile(source.Read(cancellationToken), target, exclude);
        if (!more) return Profile(Table.Concat(head), target, exclude);

        var first = Table.Concat(head);
        head.Clear();
        if (target is not null && !first.Contains(target)) throw first.MissingColumn(target, "target column");
        var schema = SchemaInference.Infer(first, target ?? "", exclude);
        var task = target is null ? TaskKind.Auto : TaskInference.Infer(first[target]);
        var sketch = new ProfileSketch(first.Source, schema, target, task, first.Columns.Any(c => c is ImageColumn));
        sketch.Add(first);
        var notes = first.Notes;
        while (batches.MoveNext())
        {
            sketch.Add(batches.Current);
            notes = ReadNote.Merge([notes, batches.Current.Notes]);
            rows += batches.Current.RowCount;
            progress?.Report(rows);
        }
        var sketched = sketch.ToProfile();
        return sketched with { Warnings = [.. Layout(notes), .. sketched.Warnings] };
    }

    private static ColumnProfile Describe(Column column, ColumnSchema spec)
    {
        var missing = 0;
        for (var i = 0; i < column.Count; i++)
            if (column is StringColumn s ? Values.IsMissing(s.Values[i]) : column.IsMissing(i)) missing++;
        var profile = new ColumnProfile
        {
            Name = column.Name,
            Type = spec.Type,
            Unused = spec.Unused,
            Missing = missing,
            MissingShare = column.Count == 0 ? 0 : (double)missing / column.Count,
        };
        switch (spec.Type)
        {
            case ColumnType.Image when column is ImageColumn images:
                return profile with { Distinct = images.Count, Min = 0, Max = 255, Mean = images.Pixels.Average(p => (double)p) };
            case ColumnType.Image:
                // A column of image paths: the files are not opened to profile them (training loads them); its
                // distinct paths are counted, and there are no pixel statistics.
                var paths = Count(Texts(column));
                return profile with { Distinct = Math.Min(paths.Count, MaxDistinct), DistinctCapped = paths.Count >= MaxDistinct };
            case ColumnType.Numeric:
                var (numbers, stray) = Numbers(column);
                return Numeric(profile, numbers) with { Stray = stray };
            case ColumnType.DateTime:
                var dates = Texts(column).Where(t => t is not null && Values.TryDate(t, out _)).Select(t => (Text: t!, Date: Parse(t!))).ToArray();
                var counts = Count(Texts(column));
                return profile with
                {
                    Distinct = Math.Min(counts.Count, MaxDistinct),
                    DistinctCapped = counts.Count >= MaxDistinct,
                    First = dates.Length == 0 ? null : dates.MinBy(d => d.Date).Text,
                    Last = dates.Length == 0 ? null : dates.MaxBy(d => d.Date).Text,
                    Stray = counts.Sum(p => p.Value) - dates.Length,
                };
            default:
                var values = Count(Texts(column));
                return profile with
                {
                    Distinct = Math.Min(values.Count, MaxDistinct),
                    DistinctCapped = values.Count >= MaxDistinct,
                    TopValues = values.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(TopCount).Select(p => (p.Key, p.Value)).ToArray(),
                };
        }
    }

    private static ColumnProfile Numeric(ColumnProfile profile, double[] values)
    {
        var present = values.Where(v => !double.IsNaN(v)).ToArray();
        if (present.Length == 0) return profile;
        double mean = present.Average(), m2 = 0, m3 = 0;
        foreach (var v in present)
        {
            var d = v - mean;
            m2 += d * d;
            m3 += d * d * d;
        }
        var variance = m2 / present.Length;
        var std = present.Length > 1 ? Math.Sqrt(m2 / (present.Length - 1)) : 0;
        double min = present.Min(), max = present.Max();
        var distinct = new HashSet<double>();
        foreach (var v in present)
            if (distinct.Count < MaxDistinct) distinct.Add(v);
        return profile with
        {
            Min = min,
            Max = max,
            Mean = mean,
            Std = std,
            Skewness = variance > 0 ? m3 / present.Length / Math.Pow(variance, 1.5) : 0,
            Distinct = distinct.Count,
            DistinctCapped = distinct.Count >= MaxDistinct,
            Histogram = Histogram(present, min, max),
            TopValues = distinct.Count <= TopCount
                ? present.GroupBy(v => v).OrderByDescending(g => g.Count()).Select(g => (g.Key.ToString("R", CultureInfo.InvariantCulture), g.Count())).ToArray()
                : [],
        };
    }

    internal static (double From, double To, int Count)[] Histogram(double[] values, double min, double max)
    {
        if (max <= min) return [(min, max, values.Length)];
        var width = (max - min) / HistogramBins;
        var counts = new int[HistogramBins];
        foreach (var v in values) counts[Math.Min(HistogramBins - 1, (int)((v - min) / width))]++;
        return counts.Select((c, b) => (min + b * width, min + (b + 1) * width, c)).ToArray();
    }

    /// <summary>The target as numbers (regression) or class indices (classification), NaN where missing.</summary>
    internal static double[] TargetValues(Column target, TaskKind task)
    {
        if (task == TaskKind.Regression) return Numbers(target).Values;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        return Texts(target).Select(t => t is null ? double.NaN : index.TryGetValue(t, out var k) ? k : index[t] = index.Count).ToArray();
    }

    internal static double? Associate(Column column, ColumnType type, double[] target, TaskKind task, out string measure)
    {
        var categorical = type is ColumnType.Categorical or ColumnType.Boolean;
        if (task == TaskKind.Regression)
        {
            if (categorical)
            {
                measure = "correlation ratio η";
                return CorrelationRatio(Codes(column), target);
            }
            measure = "|Pearson r|";
            var (x, _) = type == ColumnType.DateTime ? (Dates(column), 0) : Numbers(column);
            return Math.Abs(Pearson(x, target));
        }
        if (categorical)
        {
            measure = "Cramér's V";
            return CramersV(Codes(column), target);
        }
        measure = "correlation ratio η";
        var (values, _) = type == ColumnType.DateTime ? (Dates(column), 0) : Numbers(column);
        return CorrelationRatio(target, values);
    }

    /// <summary>η: how much of the variance of <paramref name="values"/> the groups in <paramref name="groups"/> explain (square root).</summary>
    private static double CorrelationRatio(double[] groups, double[] values)
    {
        var sums = new Dictionary<double, (double Sum, int Count)>();
        double total = 0;
        var n = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(groups[i]) || double.IsNaN(values[i])) continue;
            var (sum, count) = sums.GetValueOrDefault(groups[i]);
            sums[groups[i]] = (sum + values[i], count + 1);
            total += values[i];
            n++;
        }
        if (n < 2) return 0;
        var mean = total / n;
        double between = sums.Values.Sum(g => g.Count * Math.Pow(g.Sum / g.Count - mean, 2)), all = 0;
        for (var i = 0; i < values.Length; i++)
            if (!double.IsNaN(groups[i]) && !double.IsNaN(values[i])) all += Math.Pow(values[i] - mean, 2);
        return all == 0 ? 0 : Math.Sqrt(between / all);
    }

    private static double CramersV(double[] a, double[] b)
    {
        var table = new Dictionary<(double, double), int>();
        var rows = new Dictionary<double, int>();
        var columns = new Dictionary<double, int>();
        var n = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(a[i]) || double.IsNaN(b[i])) continue;
            table[(a[i], b[i])] = table.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            columns[b[i]] = columns.GetValueOrDefault(b[i]) + 1;
            n++;
        }
        var k = Math.Min(rows.Count, columns.Count);
        if (n == 0 || k < 2) return 0;
        double chi2 = 0;
        foreach (var (r, rc) in rows)
            foreach (var (c, cc) in columns)
            {
                var expected = (double)rc * cc / n;
                var observed = table.GetValueOrDefault((r, c));
                chi2 += (observed - expected) * (observed - expected) / expected;
            }
        return Math.Sqrt(chi2 / (n * (k - 1)));
    }

    private static double Pearson(double[] x, double[] y)
    {
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        var n = 0;
        for (var i = 0; i < x.Length; i++)
        {
            if (double.IsNaN(x[i]) || double.IsNaN(y[i])) continue;
            sx += x[i];
            sy += y[i];
            sxx += x[i] * x[i];
            syy += y[i] * y[i];
            sxy += x[i] * y[i];
            n++;
        }
        var denominator = Math.Sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
        return n < 2 || denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
    }

    internal static IReadOnlyList<ProfileWarning> Warn(DataProfile profile, TaskKind task)
    {
        var warnings = new List<ProfileWarning>();
        if (profile.Quarantined > 0)
            warnings.Add(new(null, $"{profile.Quarantined} malformed row(s) could not be read", "they go to quarantine.csv during training; fix them at the source if you can"));
        if (profile.DuplicateRows > 0)
            warnings.Add(new(null, $"{profile.DuplicateRows} row(s) repeat an earlier row exactly ({Percent((double)profile.DuplicateRows / profile.Rows)})", "remove duplicates so they cannot sit in both training and test"));
        foreach (var name in profile.ConstantColumns)
            warnings.Add(profile.Columns.FirstOrDefault(c => c.Name == name) is { } empty && empty.Missing == profile.Rows && profile.Rows > 0
                ? new(name, $"'{name}' is empty in every row{(name.StartsWith("column_", StringComparison.Ordinal) ? " (an unnamed column, as a delimiter at the end of every line makes)" : "")}",
                    "nothing to do: it is not used as a feature")
                : profile.Columns.FirstOrDefault(c => c.Name == name) is { Missing: > 0 }
                    ? new(name, $"'{name}' has a single value where it is not missing", "only whether it is missing can say anything; drop it if that says nothing")
                    : new(name, $"'{name}' has a single value", "nothing to do: lathe init excludes it, as it carries no information"));
        foreach (var c in profile.Columns)
        {
            if (c.Name == profile.Target)
            {
                if (c.Missing > 0) warnings.Add(new(c.Name, $"the target '{c.Name}' is missing in {c.Missing} row(s)", "those rows are left out of training and scoring"));
                continue;
            }
            if (c.Unused is not null && c.Type != ColumnType.Text) continue;
            if (c.Missing == profile.Rows) continue; // said above, with the constant columns
            if (c.MissingShare > 0.5)
                warnings.Add(new(c.Name, $"'{c.Name}' is {Percent(c.MissingShare)} missing", "drop the column, or add a missing-indicator if missingness means something"));
            else if (c.Missing > 0)
                warnings.Add(new(c.Name, $"'{c.Name}' is {Percent(c.MissingShare)} missing", c.Type is ColumnType.Numeric or ColumnType.DateTime ? "median impute" : "mode impute"));
            if (c.Stray > 0)
                warnings.Add(new(c.Name, $"'{c.Name}' has {c.Stray} value(s) that are not {(c.Type == ColumnType.DateTime ? "dates" : "numbers")}", "those rows will be quarantined; fix or clear the values"));
            if (c.Type == ColumnType.Text)
                warnings.Add(new(c.Name, $"'{c.Name}' is free text or an identifier ({c.DistinctText("D")} distinct values)", "exclude it, or set prepare.text: words to use its words"));
            else if (c.Type == ColumnType.Categorical && c.Distinct <= 20 && c.TopValues.Where(v => v.Count == 1).Select(v => v.Value).ToArray() is { Length: > 0 } rare)
                warnings.Add(new(c.Name, $"'{c.Name}' has {string.Join(", ", rare.Select(v => $"'{v}'"))} only once among {c.Distinct} categories", "check for a typo or a missing-value marker; correct or clear it"));
            else if (c.Type == ColumnType.Categorical && c.Distinct > 50)
                warnings.Add(new(c.Name, $"'{c.Name}' has {c.DistinctText("D")} categories", "one-hot makes a wide input; consider hashing or learned embeddings"));
            if (c.Type == ColumnType.Numeric && c.Skewness is { } skew && Math.Abs(skew) > 2 && c.Distinct > 10)
                warnings.Add(new(c.Name, $"'{c.Name}' is strongly skewed (skewness {skew:0.0})", c.Min >= 0 ? "log or Yeo-Johnson transform" : "Yeo-Johnson transform"));
            if (c.CountsRowsFrom is { } from)
                warnings.Add(new(c.Name, $"'{c.Name}' numbers the rows ({from:0}, {from + 1:0}, {from + 2:0}, …), as pandas writes its index and R its row names: it says where a row stood in the file, not what it is",
                    "exclude it (lathe init does); if it is data, such as a rank, keep it"));
            else if (c.Association is > 0.95)
                warnings.Add(new(c.Name, $"'{c.Name}' predicts the target almost perfectly ({c.AssociationMeasure} {c.Association:0.00})", "check it is not a leak: would you know it at prediction time?"));
        }
        if (profile.TargetBalance.Count >= 2)
        {
            var ratio = (double)profile.TargetBalance[0].Count / profile.TargetBalance[^1].Count;
            if (ratio >= 5)
                warnings.Add(new(profile.Target, $"classes 1:{ratio:0} ({profile.TargetBalance[^1].Class} is rarest)", "stratify and weight classes; judge by macro F1, not accuracy"));
        }
        return warnings;
    }

    private static int DuplicateRows(Table table)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        if (table.Columns.Any(c => c is ImageColumn)) return 0;
        for (var r = 0; r < table.RowCount; r++)
            if (!seen.Add(table.RowText(r))) duplicates++;
        return duplicates;
    }

    internal static string?[] Texts(Column column) => column switch
    {
        StringColumn s => s.Values.Select(v => Values.IsMissing(v) ? null : v!.Trim()).ToArray(),
        NumericColumn n => n.Values.Select(v => double.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture)).ToArray(),
        _ => new string?[column.Count],
    };

    private static Dictionary<string, int> Count(string?[] values)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in values)
            if (v is not null && (counts.Count < MaxDistinct || counts.ContainsKey(v))) counts[v] = counts.GetValueOrDefault(v) + 1;
        return counts;
    }

    internal static (double[] Values, int Stray) Numbers(Column column)
    {
        if (column is NumericColumn n) return (n.Values, 0);
        var texts = ((StringColumn)column).Values;
        var values = new double[texts.Length];
        var stray = 0;
        for (var i = 0; i < texts.Length; i++)
        {
            if (Values.IsMissing(texts[i])) values[i] = double.NaN;
            else if (Values.TryNumber(texts[i]!, out var v)) values[i] = v;
            else if (Values.TryBoolean(texts[i]!, out var b)) values[i] = b ? 1 : 0;
            else
            {
                values[i] = double.NaN;
                stray++;
            }
        }
        return (values, stray);
    }

    private static double[] Codes(Column column)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        return Texts(column).Select(t => t is null ? double.NaN : index.TryGetValue(t, out var k) ? k : index[t] = index.Count).ToArray();
    }

    private static double[] Dates(Column column) =>
        Texts(column).Select(t => t is not null && Values.TryDate(t, out var d) ? d.Ticks / (double)TimeSpan.TicksPerDay : double.NaN).ToArray();

    internal static DateTime Parse(string text) => Values.TryDate(text, out var d) ? d : DateTime.MinValue;

    private static string Percent(double share) => Reporting.HtmlReport.Percent(share);
}
