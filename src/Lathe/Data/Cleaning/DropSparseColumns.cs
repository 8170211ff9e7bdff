using Lathe.Data.Pipeline;

namespace Lathe.Data.Cleaning;

/// <summary>Drops feature columns missing in more than a share of the training rows: filling in most of a
/// column invents more than it keeps. The fitted step remembers which columns, and why.</summary>
public sealed class DropSparseColumns(double above) : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var dropped = new List<DroppedColumn>();
        foreach (var column in train.Columns)
        {
            if (column is ImageColumn || train.RowCount == 0) continue;
            var missing = 0;
            for (var i = 0; i < column.Count; i++)
                if (column.IsMissing(i)) missing++;
            var share = (double)missing / train.RowCount;
            if (share > above) dropped.Add(new DroppedColumn(column.Name, $"missing in {share:0.0%} of training rows (limit {above:0.#%})"));
        }
        return new FittedDropColumns(dropped);
    }
}

public sealed record DroppedColumn(string Name, string Reason);

public sealed record FittedDropColumns(IReadOnlyList<DroppedColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        if (Columns.Count == 0) return table;
        table.Require(Columns.Select(c => c.Name), "drop columns");
        return table.Without(Columns.Select(c => c.Name));
    }
}
