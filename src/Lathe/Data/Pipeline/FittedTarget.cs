using System.Globalization;
using Lathe.Config;
using Lathe.Data.Schema;

namespace Lathe.Data.Pipeline;

/// <summary>The target column as the model sees it: the class names (classification), or the training mean
/// and standard deviation the model's output is scaled by (regression).</summary>
public sealed record FittedTarget(string Name, TaskKind Task, IReadOnlyList<string> Classes, double Mean, double Std)
{
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
                throw new DataException($"{raw.Source} {raw.RowName(i)}: the target '{Name}' is '{labels[i]}', a class the model was not trained on (it knows: {string.Join(", ", Classes)})");
        }
        return encoded;
    }

    /// <summary>Regression targets on the model's scale: (value − mean) / std.</summary>
    public float[] EncodeValues(Table raw)
    {
        var values = NumbersOf(raw);
        var scaled = new float[values.Length];
        for (var i = 0; i < values.Length; i++) scaled[i] = (float)((values[i] - Mean) / Std);
        return scaled;
    }

    /// <summary>Regression targets as given; a missing or non-numeric value is an error naming the row.</summary>
    public double[] NumbersOf(Table raw)
    {
        var values = Numbers(Column(raw), raw);
        for (var i = 0; i < values.Length; i++)
            if (double.IsNaN(values[i]))
                throw new DataException($"{raw.Source} {raw.RowName(i)}: the target '{Name}' is missing — drop the row or fill in its value");
        return values;
    }

    public double Decode(float modelOutput) => modelOutput * Std + Mean;

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
                throw new DataException($"{raw?.Source ?? "data"} {raw?.RowName(i) ?? $"row {i + 1}"}: the target '{column.Name}' is '{texts[i]}', not a number — a regression target must be numeric");
        }
        return values;
    }
}
