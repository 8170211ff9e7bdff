using Lathe.Data.Pipeline;

namespace Lathe.Data.Cleaning;

/// <summary>Fills missing values: the training median for numeric columns, the training mode for categories.</summary>
public sealed class Impute : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var fills = new List<ImputedColumn>();
        foreach (var column in train.Columns)
        {
            switch (column)
            {
                case NumericColumn numeric:
                    fills.Add(new ImputedColumn(column.Name, Median(numeric.Values), null));
                    break;
                case StringColumn text:
                    fills.Add(new ImputedColumn(column.Name, null, Mode(text.Values)));
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
            ? ""
            : counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
    }
}

/// <summary>The value filled into one column.</summary>
public sealed record ImputedColumn(string Name, double? Number, string? Category);

public sealed record FittedImpute(IReadOnlyList<ImputedColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var fills = Columns.ToDictionary(c => c.Name);
        var columns = table.Columns.Select(column =>
        {
            if (!fills.TryGetValue(column.Name, out var fill)) return column;
            switch (column)
            {
                case NumericColumn numeric when fill.Number is { } number:
                    var values = (double[])numeric.Values.Clone();
                    for (var i = 0; i < values.Length; i++)
                        if (double.IsNaN(values[i])) values[i] = number;
                    return new NumericColumn(column.Name, values);
                case StringColumn text when fill.Category is { } category:
                    return new StringColumn(column.Name, text.Values.Select(v => v ?? category).ToArray());
                default:
                    return column;
            }
        }).ToArray();
        return table.With(columns);
    }
}
