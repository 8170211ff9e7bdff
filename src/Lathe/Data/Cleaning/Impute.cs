using Lathe.Config;
using Lathe.Data.Pipeline;

namespace Lathe.Data.Cleaning;

/// <summary>Fills missing values with figures from the training part: the median, mean, zero or a chosen constant for numeric
/// columns, the mode (or a "(missing)" category of its own) for categories. Optionally adds a 0/1
/// <c>&lt;column&gt;.missing</c> feature where a numeric value was filled in, for data where missingness
/// itself means something.</summary>
/// <param name="constant">The number filled in with <see cref="NumericImputation.Constant"/>.</param>
public sealed class Impute(NumericImputation numeric = NumericImputation.Median, CategoricalImputation categorical = CategoricalImputation.Mode, bool indicators = false, double constant = 0)
    : IPipelineStep
{
    public const string MissingCategory = "(missing)";

    public IFittedStep Fit(Table train)
    {
        var fills = new ImputedColumn?[train.Columns.Count];
        Parallelism.For(fills.Length, c => fills[c] = train.Columns[c] switch
        {
            NumericColumn n => new ImputedColumn(n.Name, numeric switch
            {
                NumericImputation.Mean => n.Values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Average(),
                NumericImputation.Zero => 0,
                NumericImputation.Constant => constant,
                _ => Median(n.Values),
            }, null, indicators && n.Values.Any(double.IsNaN)),
            StringColumn s => new ImputedColumn(s.Name, null, categorical == CategoricalImputation.Missing ? MissingCategory : Mode(s.Values), false),
            _ => null,
        });
        return new FittedImpute(fills.OfType<ImputedColumn>().ToArray());
    }

    /// <summary>The median of the present values; 0 when every value is missing. Found by selection, not by
    /// sorting: linear time, which matters on millions of rows.</summary>
    public static double Median(double[] values)
    {
        var present = new double[values.Length];
        var count = 0;
        foreach (var v in values)
            if (!double.IsNaN(v)) present[count++] = v;
        if (count == 0) return 0;
        var span = present.AsSpan(0, count);
        var mid = count / 2;
        var upper = Select(span, mid);
        if (count % 2 == 1) return upper;
        // After selection every value left of mid is at most the mid value: the lower middle is their maximum.
        var lower = double.NegativeInfinity;
        foreach (var v in span[..mid]) lower = Math.Max(lower, v);
        return (lower + upper) / 2;
    }

    /// <summary>The k-th smallest value (from 0), partially ordering <paramref name="values"/> around it (Hoare's selection).</summary>
    private static double Select(Span<double> values, int k)
    {
        int left = 0, right = values.Length - 1;
        while (left < right)
        {
            // Median of three as the pivot keeps sorted and reversed input linear.
            var (a, b, c) = (values[left], values[(left + right) / 2], values[right]);
            var pivot = Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
            int i = left, j = right;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i > j) break;
                (values[i], values[j]) = (values[j], values[i]);
                i++;
                j--;
            }
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return values[k];
        }
        return values[k];
    }

    /// <summary>The most frequent present value, ties broken by ordinal order so the choice is stable.</summary>
    public static string Mode(string?[] values)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in values)
            if (v is not null) counts[v] = counts.GetValueOrDefault(v) + 1;
        return counts.Count == 0
            ? MissingCategory
            : counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
    }
}

/// <summary>The value filled into one column, and whether a missing-indicator column goes with it.</summary>
public sealed record ImputedColumn(string Name, double? Number, string? Category, bool Indicator = false);

public sealed record FittedImpute(IReadOnlyList<ImputedColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var fills = FittedColumns.In(table, Columns, c => c.Name, "impute");
        return table.Replace(column => fills.TryGetValue(column.Name, out var fill) ? Fill(column, fill) : null);
    }

    private static IEnumerable<Column>? Fill(Column column, ImputedColumn fill)
    {
        switch (column)
        {
            // A column with nothing missing is kept as it is (unless it gains its indicator column).
            case NumericColumn numeric when !fill.Indicator && !Array.Exists(numeric.Values, double.IsNaN):
                return null;
            case StringColumn text when Array.IndexOf(text.Values, null) < 0:
                return null;
            case NumericColumn numeric when fill.Number is { } number:
                var values = (double[])numeric.Values.Clone();
                var flags = fill.Indicator ? new double[values.Length] : null;
                for (var i = 0; i < values.Length; i++)
                {
                    if (!double.IsNaN(values[i])) continue;
                    values[i] = number;
                    if (flags is not null) flags[i] = 1;
                }
                return flags is null
                    ? [new NumericColumn(column.Name, values)]
                    : [new NumericColumn(column.Name, values), new NumericColumn($"{column.Name}.missing", flags)];
            case StringColumn text when fill.Category is { } category:
                return [new StringColumn(column.Name, text.Values.Select(v => v ?? category).ToArray())];
            default:
                return null;
        }
    }
}
