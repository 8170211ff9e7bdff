namespace Lathe.Data;

/// <summary>Numbers; NaN marks a missing value.</summary>
public sealed class NumericColumn(string name, double[] values) : Column(name)
{
    public double[] Values { get; } = values;
    public override int Count => Values.Length;
    public override bool IsMissing(int row) => double.IsNaN(Values[row]);

    public override Column Gather(ReadOnlySpan<int> rows)
    {
        var picked = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++) picked[i] = Values[rows[i]];
        return new NumericColumn(Name, picked);
    }

    public override Column Rename(string name) => new NumericColumn(name, Values);
}
