using Lathe.Data;

namespace Lathe.Tests.Data.Sources;

/// <summary>Checks that a source's batches are what its whole read is, cut in order.</summary>
public static class BatchAssert
{
    public static void SameAsRead(Table read, IReadOnlyList<Table> batches, int rows)
    {
        Assert.All(batches, b => Assert.InRange(b.RowCount, 0, rows));
        var joined = Table.Concat(batches);
        Assert.Equal(read.ColumnNames, joined.ColumnNames);
        Assert.Equal(read.RowCount, joined.RowCount);
        foreach (var column in read.Columns)
            switch (column)
            {
                case NumericColumn n: Assert.Equal(n.Values, Assert.IsType<NumericColumn>(joined[column.Name]).Values); break;
                case StringColumn s: Assert.Equal(s.Values, Assert.IsType<StringColumn>(joined[column.Name]).Values); break;
                default: throw new InvalidOperationException($"{column.Name}: {column.GetType().Name} not compared");
            }
        Assert.Equal(Enumerable.Range(0, read.RowCount).Select(read.RowName), Enumerable.Range(0, joined.RowCount).Select(joined.RowName));
        Assert.Equal(read.Quarantined, joined.Quarantined);
    }
}
