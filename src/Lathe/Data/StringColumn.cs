namespace Lathe.Data;

/// <summary>Text as read (raw CSV fields, categories, free text); null marks a missing value.</summary>
public sealed class StringColumn(string name, string?[] values) : Column(name)
{
    public string?[] Values { get; } = values;
    public override int Count => Values.Length;
    public override bool IsMissing(int row) => Values[row] is null;

    public override Column Gather(ReadOnlySpan<int> rows)
    {
        var picked = new string?[rows.Length];
        for (var i = 0; i < rows.Length; i++) picked[i] = Values[rows[i]];
        return new StringColumn(Name, picked);
    }

    public override Column Rename(string name) => new StringColumn(name, Values);
}
