namespace Lathe.Data.Cleaning;

/// <summary>Rows missing most of their feature values carry little but the imputed medians; above a chosen
/// share of missing features (<c>prepare.drop_rows_above</c>) they are dropped before the split, and counted.
/// This is a choice about the data set, not a fitted step: prediction still answers every row.</summary>
public static class SparseRows
{
    /// <returns>The rows kept, and how many were dropped.</returns>
    public static (Table Kept, int Dropped) Drop(Table table, IReadOnlyList<string> features, double above)
    {
        if (above >= 1 || features.Count == 0) return (table, 0);
        var columns = features.Where(table.Contains).Select(name => table[name]).ToArray();
        var kept = new List<int>(table.RowCount);
        for (var row = 0; row < table.RowCount; row++)
        {
            var missing = columns.Count(c => c is StringColumn s ? Schema.Values.IsMissing(s.Values[row]) : c.IsMissing(row));
            if (missing <= above * columns.Length) kept.Add(row);
        }
        var dropped = table.RowCount - kept.Count;
        return (dropped == 0 ? table : table.Gather(kept.ToArray()), dropped);
    }
}
