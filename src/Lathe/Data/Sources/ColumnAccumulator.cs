using System.Globalization;
using System.Numerics;

namespace Lathe.Data.Sources;

/// <summary>Gathers one column's values across row groups or record batches, as numbers (NaN for null)
/// or as text (null for null, repeated strings shared so a category is stored once).</summary>
internal sealed class ColumnAccumulator(string name)
{
    private readonly List<double> _numbers = [];
    private readonly List<string?> _texts = [];
    private readonly Dictionary<string, string> _shared = new(StringComparer.Ordinal);

    public string Name => name;

    public void AddNumbers<T>(ReadOnlySpan<T> values, Func<int, bool> isNull) where T : struct, INumberBase<T>
    {
        for (var i = 0; i < values.Length; i++) _numbers.Add(isNull(i) ? double.NaN : double.CreateTruncating(values[i]));
    }

    public void AddNumbers<T>(ReadOnlySpan<T?> values) where T : struct, INumberBase<T>
    {
        foreach (var v in values) _numbers.Add(v is { } x ? double.CreateTruncating(x) : double.NaN);
    }

    public void AddNumber(double? value) => _numbers.Add(value ?? double.NaN);

    public void AddText(string? value)
    {
        if (value is not null && value.Length <= 64)
        {
            if (_shared.TryGetValue(value, out var shared)) value = shared;
            else if (_shared.Count < 10_000) _shared[value] = value;
        }
        _texts.Add(value);
    }

    public void AddDate(DateTime? value) => AddText(value?.ToString(value.Value.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));

    public Column ToColumn() => _texts.Count > 0 ? new StringColumn(name, _texts.ToArray()) : new NumericColumn(name, _numbers.ToArray());
}
