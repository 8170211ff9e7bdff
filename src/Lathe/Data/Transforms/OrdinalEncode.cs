using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Replaces each categorical column by one numeric column of category codes, in the ordinal order
/// of the categories seen in training (0, 1, 2, …). A category never seen in training becomes −1.</summary>
public sealed class OrdinalEncode : IPipelineStep
{
    public IFittedStep Fit(Table train) => new FittedOrdinalEncode(
        train.Columns.OfType<StringColumn>()
            .Select(c => new EncodedColumn(c.Name, c.Values.Where(v => v is not null).Select(v => v!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()))
            .ToArray());
}

public sealed record FittedOrdinalEncode(IReadOnlyList<EncodedColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var encodings = FittedColumns.In(table, Columns, c => c.Name, "ordinal encode");
        var columns = table.Columns.Select(column =>
        {
            if (column is not StringColumn text || !encodings.TryGetValue(column.Name, out var encoding)) return column;
            var codes = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var k = 0; k < encoding.Categories.Count; k++) codes[encoding.Categories[k]] = k;
            return (Column)new NumericColumn(column.Name, text.Values.Select(v => v is not null && codes.TryGetValue(v, out var k) ? k : -1.0).ToArray());
        }).ToArray();
        return table.With(columns);
    }
}
