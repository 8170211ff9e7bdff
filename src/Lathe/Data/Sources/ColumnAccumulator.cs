using System.Numerics;

namespace Lathe.Data.Sources;

/// <summary>Gathers one column's values across row groups or record batches, as numbers (NaN for null)
/// or as text (null for null, repeated strings shared so a category is stored once).</summary>
/// <param name="capacity">The number of rows, when the source knows it.</param>
internal sealed class ColumnAccumulator(string name, int capacity = 0)
{
    private const int MaxShared = 10_000;
    private const int MaxSharedLength = 64;
    private readonly List<double> _numbers = new(capacity);
    private List<string?> _texts = [];
    private readonly Dictionary<string, string> _shared = new(StringComparer.Ordinal);

    public string Name => name;

    public void AddNumbers<T>(ReadOnlySpan<T> values, Func<int, bool> isNull) where T : struct, INumberBase<T>
    {
        for (var i = 0; i < values.Length; i++) _numbers.Add(isNull(i) ? double.NaN : double.CreateTruncating(values[i]));
    }

    public void AddNumbers<T>(ReadOnlySpan<T?> values) where T : struct, INumberBase<T>
    {
        var start = _numbers.Count;
        System.Runtime.InteropServices.CollectionsMarshal.SetCount(_numbers, start + values.Length);
        var numbers = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_numbers)[start..];
        for (var i = 0; i < values.Length; i++) numbers[i] = values[i] is { } x ? double.CreateTruncating(x) : double.NaN;
    }

    public void AddNumber(double? value) => _numbers.Add(value ?? double.NaN);

    public void AddText(string? value)
    {
        if (_texts.Count == 0 && _texts.Capacity < capacity) _texts = new List<string?>(capacity);
        if (value is not null && value.Length <= MaxSharedLength)
        {
            if (_shared.TryGetValue(value, out var shared)) value = shared;
            else if (_shared.Count < MaxShared) _shared[value] = value;
        }
        _texts.Add(value);
    }

    /// <summary>A date as ISO text (<c>yyyy-MM-dd</c>, with <c>THH:mm:ss</c> when it has a time of day), written
    /// by hand: a Parquet file can hold millions of timestamps.</summary>
    public void AddDate(DateTime? value)
    {
        if (value is not { } date)
        {
            AddText(null);
            return;
        }
        var timed = date.TimeOfDay != TimeSpan.Zero;
        _texts.Add(string.Create(timed ? 19 : 10, date, (span, d) =>
        {
            Write(span[..4], d.Year);
            span[4] = '-';
            Write(span[5..7], d.Month);
            span[7] = '-';
            Write(span[8..10], d.Day);
            if (span.Length == 10) return;
            span[10] = 'T';
            Write(span[11..13], d.Hour);
            span[13] = ':';
            Write(span[14..16], d.Minute);
            span[16] = ':';
            Write(span[17..19], d.Second);
        }));

        static void Write(Span<char> digits, int number)
        {
            for (var i = digits.Length - 1; i >= 0; i--, number /= 10) digits[i] = (char)('0' + number % 10);
        }
    }

    public Column ToColumn() => _texts.Count > 0 ? new StringColumn(name, _texts.ToArray()) : new NumericColumn(name, _numbers.ToArray());
}
