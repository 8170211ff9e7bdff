using Lathe.Config;
using Lathe.Data.Pipeline;

namespace Lathe.Data.Cleaning;

/// <summary>Fills missing values with figures from the training part: the median, mean or zero for numeric
/// columns, the mode (or a "(missing)" category of its own) for categories. Optionally adds a 0/1
/// <c>&lt;column&gt;.missing</c> feature where a numeric value was filled in, for data where missingness
/// itself means something.</summary>
public sealed class Impute(NumericImputation numeric = NumericImputation.Median, CategoricalImputation categorical = CategoricalImputation.Mode, bool indicators = false)
    : IPipelineStep
{
    public const string MissingCategory = "(missing)";

    public IFittedStep Fit(Table train)
    {
        var fills = new List<ImputedColumn>();
        foreach (var column in train.Columns)
        {
            switch (column)
            {
                case NumericColumn n:
                    var value = numeric switch
                    {
                        NumericImputation.Mean => n.Values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Average(),
                        NumericImputation.Zero => 0,
                        _ => Median(n.Values),
                    };
                    fills.Add(new ImputedColumn(column.Name, value, null, indicators && n.Values.Any(double.IsNaN)));
                    break;
                case StringColumn s:
                    fills.Add(new ImputedColumn(column.Name, null, categorical == CategoricalImputation.Missing ? MissingCategory : Mode(s.Values), false));
                    break;
            }
        }
        return new FittedImpute(fills);
    }

    /// <summary>The median of the present values; 0 when every value is missing.</summary>
    public static double Median(double[] values)
    {
        var present = values.Where(v => !double.IsNaN(v)).ToArray();
        if (present.Length == 0) return 0;
        Array.Sort(present);
        var mid = present.Length / 2;
        return present.Length % 2 == 1 ? present[mid] : (present[mid - 1] + present[mid]) / 2;
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
        table.Require(Columns.Select(c => c.Name), "impute");
        var fills = Columns.ToDictionary(c => c.Name);
        return table.Replace(column => fills.TryGetValue(column.Name, out var fill) ? Fill(column, fill) : null);
    }

    private static IEnumerable<Column>? Fill(Column column, ImputedColumn fill)
    {
        switch (column)
        {
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
