namespace Lathe.Data;

/// <summary>One column of a <see cref="Table"/>: a name and one contiguous array of values.</summary>
public abstract class Column(string name)
{
    public string Name { get; } = name;
    public abstract int Count { get; }
    public abstract bool IsMissing(int row);
    /// <summary>A new column holding the given rows, in that order.</summary>
    public abstract Column Gather(ReadOnlySpan<int> rows);
    public abstract Column Rename(string name);
}
