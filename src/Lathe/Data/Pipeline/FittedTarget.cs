using System.Globalization;
using System.Text.Json.Serialization;
using Lathe.Config;
using Lathe.Data.Schema;

namespace Lathe.Data.Pipeline;

/// <summary>The target column as the model sees it: the class names (classification), or the training mean
/// and standard deviation the model's output is scaled by (regression). Several targets: for multilabel,
/// <see cref="Classes"/> are the label columns (each 0/1); for regression, <see cref="Columns"/> holds one fitted
/// target per column, and <see cref="Name"/> lists them.</summary>
public sealed record FittedTarget(string Name, TaskKind Task, IReadOnlyList<string> Classes, double Mean, double Std,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FittedTarget>? Columns = null)
{
    /// <summary>Multilabel: the probability from which each label is predicted (<c>training.threshold</c>, or tuned on the
    /// validation part with <c>training.tune_threshold</c>); absent means <see cref="Evaluation.MultilabelMetrics.Threshold"/>
    /// for every label, as in bundles from before it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<double>? Thresholds { get; init; }

    /// <summary>Classification: the temperature every logit is divided by before the softmax (<c>training.calibrate</c>,
    /// fitted on the validation part by <see cref="Evaluation.TemperatureScaling"/>); absent means 1, the raw softmax, as
    /// in bundles from before it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Temperature { get; init; }

    /// <summary>The target columns: one, or the label columns (multilabel), or the regression targets.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Names => Task == TaskKind.Multilabel ? Classes : Columns?.Select(c => c.Name).ToArray() ?? [Name];

    /// <summary>The network's outputs per row: one per class or label, one per regression target.</summary>
    [JsonIgnore]
    public int Width => Task is TaskKind.Classification or TaskKind.Multilabel ? Classes.Count : Columns?.Count ?? 1;

    /// <summary>The target of <paramref name="names"/>: as <see cref="Fit(Column, TaskKind, ReadOnlySpan{int})"/> for one
    /// column; for several, each regression column scaled by its own training statistics, or the multilabel columns,
    /// whose every value must be a yes/no.</summary>
    public static FittedTarget Fit(Table data, IReadOnlyList<string> names, TaskKind task, ReadOnlySpan<int> trainRows)
    {
        foreach (var name in names)
            if (!data.Contains(name)) throw data.MissingColumn(name, "target column (target)");
        if (task == TaskKind.Multilabel)
        {
            var target = new FittedTarget(string.Join(", ", names), task, names.ToArray(), 0, 1);
            target.NumbersOf(data);
            return target;
        }
        if (names.Count == 1) return Fit(data[names[0]], task, trainRows);
        if (task != TaskKind.Regression)
            throw new DataException($"target: {names.Count} columns need task: regression (numbers) or multilabel (0/1 labels), not {ConfigNames.Of(task)}");
        var columns = new FittedTarget[names.Count];
        for (var t = 0; t < names.Count; t++) columns[t] = Fit(data[names[t]], task, trainRows);
        return new FittedTarget(string.Join(", ", names), task, [], 0, 1, columns);
    }

    /// <summary>This target fitted again on other training rows (a cross-validation fold): regression scaling is a
    /// training statistic; classes and labels are the problem's definition and stay.</summary>
    public FittedTarget Refit(Table data, ReadOnlySpan<int> trainRows) =>
        Task == TaskKind.Regression ? Fit(data, Names, Task, trainRows) : this;

    public static FittedTarget Fit(Column target, TaskKind task, ReadOnlySpan<int> trainRows)
    {
        if (task == TaskKind.Classification)
        {
            var labels = Labels(target);
            var distinct = labels.Where(l => l is not null).Select(l => l!).Distinct(StringComparer.Ordinal).ToArray();
            var numeric = distinct.All(l => Values.TryNumber(l, out _));
            var classes = numeric
                ? distinct.OrderBy(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray()
                : distinct.Order(StringComparer.Ordinal).ToArray();
            if (classes.Length < 2)
                throw new DataException($"the target '{target.Name}' has {classes.Length} class(es); classification needs at least 2 — check the target column");
            return new FittedTarget(target.Name, task, classes, 0, 1);
        }
        var values = Numbers(target, null);
        double sum = 0, squares = 0;
        foreach (var row in trainRows) sum += values[row];
        var mean = sum / Math.Max(1, trainRows.Length);
        foreach (var row in trainRows) squares += (values[row] - mean) * (values[row] - mean);
        var std = Math.Sqrt(squares / Math.Max(1, trainRows.Length - 1));
        return new FittedTarget(target.Name, task, [], mean, std > 1e-12 ? std : 1);
    }

    /// <summary>Class indices of every row; a label the model does not know is an error naming the row.</summary>
    public long[] EncodeClasses(Table raw)
    {
        var index = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var k = 0; k < Classes.Count; k++) index[Classes[k]] = k;
        var labels = Labels(Column(raw));
        var encoded = new long[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] is null)
                throw new DataException($"{raw.Source} {raw.RowName(i)}: the target '{Name}' is missing — drop the row or fill in its label");
            if (!index.TryGetValue(labels[i]!, out encoded[i]))
                throw new DataException($"{raw.Source} {raw.RowName(i)}: {UnknownClass(labels[i]!)}");
        }
        return encoded;
    }

    private string UnknownClass(string label) => $"the target '{Name}' is '{label}', a class the model was not trained on (it knows: {string.Join(", ", Classes)})";

    private static string NotANumber(string target, string? text) => $"the target '{target}' is '{text}', not a number — a regression target must be numeric";

    private static string NotYesNo(string label, string? text) => $"the label '{label}' is '{text}'; a multilabel target column holds 0/1, true/false or yes/no";

    /// <summary>Rows whose label is there but cannot be scored, each with why: a class the model was not trained on, a
    /// regression target that is not a number, a multilabel label that is not a yes or a no. A missing label is not
    /// among them (<see cref="RowsWithTargets"/> leaves such rows out).</summary>
    public IReadOnlyList<(int Row, string Reason)> BadLabels(Table raw)
    {
        // Several columns: a row's first reason, rows in order.
        static (int Row, string Reason)[] FirstPerRow(IEnumerable<(int Row, string Reason)> bad) =>
            bad.GroupBy(b => b.Row).Select(g => g.First()).OrderBy(b => b.Row).ToArray();
        var bad = new List<(int Row, string Reason)>();
        if (Columns is not null) return FirstPerRow(Columns.SelectMany(c => c.BadLabels(raw)));
        if (Task == TaskKind.Multilabel)
        {
            foreach (var label in Classes)
            {
                var texts = Labels(raw.Contains(label) ? raw[label] : throw raw.MissingColumn(label, "label column (target)"));
                for (var i = 0; i < texts.Length; i++)
                    if (texts[i] is { } text && YesNoValue(text) is null) bad.Add((i, NotYesNo(label, text)));
            }
            return FirstPerRow(bad);
        }
        var column = Column(raw);
        if (Task == TaskKind.Classification)
        {
            var known = Classes.ToHashSet(StringComparer.Ordinal);
            var labels = Labels(column);
            for (var i = 0; i < labels.Length; i++)
                if (labels[i] is { } label && !known.Contains(label)) bad.Add((i, UnknownClass(label)));
        }
        else if (column is StringColumn texts)
        {
            for (var i = 0; i < texts.Count; i++)
                if (!Values.IsMissing(texts.Values[i]) && !Values.TryNumber(texts.Values[i]!, out _)) bad.Add((i, NotANumber(Name, texts.Values[i])));
        }
        return bad;
    }

    private static double? YesNoValue(string text) => text.ToLowerInvariant() switch
    {
        "1" or "true" or "yes" => 1,
        "0" or "false" or "no" => 0,
        _ => null,
    };

    /// <summary>Regression targets on the model's scale: (value − mean) / std; several targets row by row
    /// (row-major, <see cref="Width"/> per row). Multilabel: the 0/1 labels as they are.</summary>
    public float[] EncodeValues(Table raw)
    {
        if (Columns is not null) return Interleave(Columns.Select(c => c.EncodeValues(raw)).ToArray());
        if (Task == TaskKind.Multilabel) return Array.ConvertAll(NumbersOf(raw), v => (float)v);
        var values = NumbersOf(raw);
        var scaled = new float[values.Length];
        for (var i = 0; i < values.Length; i++) scaled[i] = (float)((values[i] - Mean) / Std);
        return scaled;
    }

    /// <summary>Regression targets as given (several: row-major, <see cref="Width"/> per row); multilabel targets as
    /// 0/1 per label. A missing or non-numeric value is an error naming the row and the column.</summary>
    public double[] NumbersOf(Table raw)
    {
        if (Columns is not null) return Interleave(Columns.Select(c => c.NumbersOf(raw)).ToArray());
        if (Task == TaskKind.Multilabel) return Interleave(Classes.Select(label => YesNo(raw, label)).ToArray());
        var values = Numbers(Column(raw), raw);
        for (var i = 0; i < values.Length; i++)
            if (double.IsNaN(values[i]))
                throw new DataException($"{raw.Source} {raw.RowName(i)}: the target '{Name}' is missing — drop the row or fill in its value");
        return values;
    }

    public double Decode(float modelOutput) => modelOutput * Std + Mean;

    /// <summary>Rows whose every target is present (multilabel: every label).</summary>
    public static int[] RowsWithTargets(Table table, IReadOnlyList<string> names)
    {
        foreach (var name in names)
            if (!table.Contains(name)) throw table.MissingColumn(name, "target column");
        if (names.Count == 1) return RowsWithTarget(table[names[0]]);
        var present = names.Select(n => RowsWithTarget(table[n]).ToHashSet()).ToArray();
        return Enumerable.Range(0, table.RowCount).Where(r => present.All(p => p.Contains(r))).ToArray();
    }

    /// <summary>A label column as 0/1: 1, true, yes (any case) are 1; 0, false, no are 0; anything else is an error naming the row.</summary>
    private static double[] YesNo(Table raw, string label)
    {
        var column = raw.Contains(label) ? raw[label] : throw raw.MissingColumn(label, "label column (target)");
        var texts = Labels(column);
        var values = new double[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            values[i] = texts[i] is null
                ? throw new DataException($"{raw.Source} {raw.RowName(i)}: the label '{label}' is missing — drop the row or fill in 0 or 1")
                : YesNoValue(texts[i]!) ?? throw new DataException($"{raw.Source} {raw.RowName(i)}: {NotYesNo(label, texts[i])}");
        }
        return values;
    }

    private static T[] Interleave<T>(IReadOnlyList<T[]> columns)
    {
        var width = columns.Count;
        var rows = columns[0].Length;
        var values = new T[rows * width];
        for (var t = 0; t < width; t++)
            for (var i = 0; i < rows; i++) values[i * width + t] = columns[t][i];
        return values;
    }

    /// <summary>Rows whose target is present; rows without a label cannot be trained or scored on.</summary>
    public static int[] RowsWithTarget(Column target)
    {
        var rows = new List<int>(target.Count);
        for (var i = 0; i < target.Count; i++)
        {
            var missing = target is StringColumn s ? Values.IsMissing(s.Values[i]) : target.IsMissing(i);
            if (!missing) rows.Add(i);
        }
        return rows.ToArray();
    }

    private Column Column(Table raw) => raw.Contains(Name) ? raw[Name] : throw raw.MissingColumn(Name, "target column");

    private static string?[] Labels(Column column) => column switch
    {
        NumericColumn n => n.Values.Select(v => double.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture)).ToArray(),
        StringColumn s => s.Values.Select(v => Values.IsMissing(v) ? null : v!.Trim()).ToArray(),
        _ => throw new DataException($"the target '{column.Name}' holds images; choose a label column"),
    };

    private static double[] Numbers(Column column, Table? raw)
    {
        if (column is NumericColumn n) return n.Values;
        var texts = ((StringColumn)column).Values;
        var values = new double[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            if (Values.IsMissing(texts[i])) values[i] = double.NaN;
            else if (!Values.TryNumber(texts[i]!, out values[i]))
                throw new DataException($"{raw?.Source ?? "data"} {raw?.RowName(i) ?? $"row {i + 1}"}: {NotANumber(column.Name, texts[i])}");
        }
        return values;
    }
}
