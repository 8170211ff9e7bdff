using System.Globalization;
using Lathe.Data.Schema;

namespace Lathe.Data.Profiling;

/// <summary>One column's profile gathered batch by batch in bounded memory: counts, missing and stray values,
/// min/max, mean/std/skewness (one-pass central moments), exact value counts up to
/// <see cref="DataProfiler.MaxDistinct"/> distinct values (then a HyperLogLog estimate), and earliest/latest dates.
/// Histograms and associations come from the row sample, not from here.</summary>
internal sealed class ColumnSketch(ColumnSchema spec)
{
    private readonly Dictionary<string, int> _texts = new(StringComparer.Ordinal);
    private readonly Dictionary<double, int> _numbers = [];
    private readonly HashSet<string> _notDates = new(StringComparer.Ordinal);
    private readonly HyperLogLog _distinct = new();
    private long _rows, _missing, _stray, _present;
    private readonly RowNumbers _rowNumbers = new();
    private double _mean, _m2, _m3, _min = double.PositiveInfinity, _max = double.NegativeInfinity;
    private (string Text, DateTime Date)? _first, _last;
    private double _pixelSum;
    private long _pixels;

    public ColumnSchema Spec => spec;

    /// <summary>Row <paramref name="row"/>'s value hashed as the row hash sees it (missing alike in every column).</summary>
    public static ulong HashOf(Column column, int row) => column switch
    {
        NumericColumn n => double.IsNaN(n.Values[row]) ? 0x5EED : HyperLogLog.Hash(n.Values[row]),
        StringColumn s => s.Values[row] is { } v ? HyperLogLog.Hash(v) : 0x5EED,
        _ => 0,
    };

    /// <param name="column">This column in one batch; null when the batch lacks it (every row missing).</param>
    public void Add(Column? column, int rows)
    {
        _rows += rows;
        if (column is null)
        {
            _missing += rows;
            return;
        }
        if (column is ImageColumn images)
        {
            foreach (var p in images.Pixels) _pixelSum += p;
            _pixels += images.Pixels.Length;
            return;
        }
        switch (spec.Type)
        {
            case ColumnType.Numeric:
                _rowNumbers.Add(column, rows);
                for (var i = 0; i < rows; i++)
                {
                    var value = Number(column, i, out var missing, out var stray);
                    if (missing) _missing++;
                    if (stray) _stray++;
                    if (!double.IsNaN(value)) AddNumber(value);
                }
                break;
            case ColumnType.DateTime:
                for (var i = 0; i < rows; i++)
                {
                    if (Text(column, i) is not { } text)
                    {
                        _missing++;
                        continue;
                    }
                    _present++;
                    // A value counted before was parsed before: only its kind (date or stray) needs remembering.
                    if (!Count(text))
                    {
                        if (_notDates.Contains(text)) _stray++;
                        continue;
                    }
                    if (!Values.TryDate(text, out var date))
                    {
                        _stray++;
                        if (_texts.ContainsKey(text)) _notDates.Add(text);
                    }
                    else
                    {
                        if (_first is null || date < _first.Value.Date) _first = (text, date);
                        if (_last is null || date > _last.Value.Date) _last = (text, date);
                    }
                }
                break;
            default:
                for (var i = 0; i < rows; i++)
                    if (Text(column, i) is { } text)
                    {
                        _present++;
                        Count(text);
                    }
                    else _missing++;
                break;
        }
    }

    /// <summary>A value as <see cref="DataProfiler"/> reads a numeric column: NaN when missing or stray.</summary>
    public static double Number(Column column, int row, out bool missing, out bool stray)
    {
        stray = false;
        if (column is NumericColumn n)
        {
            missing = double.IsNaN(n.Values[row]);
            return n.Values[row];
        }
        var text = ((StringColumn)column).Values[row];
        missing = Values.IsMissing(text);
        if (missing) return double.NaN;
        if (Values.TryNumber(text!, out var v)) return v;
        if (Values.TryBoolean(text!, out var b)) return b ? 1 : 0;
        stray = true;
        return double.NaN;
    }

    /// <summary>A value as <see cref="DataProfiler"/> reads a text column: trimmed, null when missing.</summary>
    public static string? Text(Column column, int row) => column switch
    {
        StringColumn s => Values.IsMissing(s.Values[row]) ? null : s.Values[row]!.Trim(),
        NumericColumn n => double.IsNaN(n.Values[row]) ? null : n.Values[row].ToString("R", CultureInfo.InvariantCulture),
        _ => null,
    };

    private void AddNumber(double x)
    {
        // Central moments updated one value at a time (Welford, extended to the third moment by Terriberry).
        var n1 = _present;
        var n = ++_present;
        var delta = x - _mean;
        var deltaN = delta / n;
        var term = delta * deltaN * n1;
        _mean += deltaN;
        _m3 += term * deltaN * (n - 2) - 3 * deltaN * _m2;
        _m2 += term;
        if (x < _min) _min = x;
        if (x > _max) _max = x;
        _distinct.Add(HyperLogLog.Hash(x));
        if (_numbers.Count < DataProfiler.MaxDistinct || _numbers.ContainsKey(x))
            _numbers[x] = _numbers.GetValueOrDefault(x) + 1;
    }

    /// <returns>False when the value was counted before.</returns>
    private bool Count(string text)
    {
        _distinct.Add(HyperLogLog.Hash(text));
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_texts, text);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref count))
        {
            count++;
            return false;
        }
        if (_texts.Count < DataProfiler.MaxDistinct) _texts[text] = 1;
        return true;
    }

    /// <param name="sample">This column's present values in the row sample (numeric columns), for the histogram.</param>
    public ColumnProfile ToProfile(double[]? sample)
    {
        var profile = new ColumnProfile
        {
            Name = spec.Name,
            Type = spec.Type,
            Unused = spec.Unused,
            Missing = checked((int)_missing),
            MissingShare = _rows == 0 ? 0 : (double)_missing / _rows,
            CountsRowsFrom = spec.Type == ColumnType.Numeric && _missing == 0 && _rowNumbers.Counts ? _rowNumbers.Start : null,
        };
        if (spec.Type == ColumnType.Image)
            return _pixels == 0 ? profile with { Distinct = checked((int)_rows) } : profile with { Distinct = checked((int)_rows), Min = 0, Max = 255, Mean = _pixelSum / _pixels };
        var counted = spec.Type == ColumnType.Numeric ? _numbers.Count : _texts.Count;
        var capped = counted >= DataProfiler.MaxDistinct;
        profile = profile with
        {
            Distinct = capped ? (int)Math.Min(int.MaxValue, Math.Max(_distinct.Estimate(), DataProfiler.MaxDistinct)) : counted,
            DistinctCapped = capped,
            DistinctEstimated = capped,
        };
        switch (spec.Type)
        {
            case ColumnType.Numeric:
                profile = profile with { Stray = checked((int)_stray) };
                if (_present == 0) return profile;
                var variance = _m2 / _present;
                return profile with
                {
                    Min = _min,
                    Max = _max,
                    Mean = _mean,
                    Std = _present > 1 ? Math.Sqrt(_m2 / (_present - 1)) : 0,
                    Skewness = variance > 0 ? _m3 / _present / Math.Pow(variance, 1.5) : 0,
                    Histogram = Histogram(sample ?? []),
                    TopValues = !capped && _numbers.Count <= DataProfiler.TopCount
                        ? _numbers.OrderByDescending(p => p.Value).Select(p => (p.Key.ToString("R", CultureInfo.InvariantCulture), p.Value)).ToArray()
                        : [],
                };
            case ColumnType.DateTime:
                return profile with { First = _first?.Text, Last = _last?.Text, Stray = checked((int)_stray) };
            default:
                return profile with
                {
                    TopValues = _texts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                        .Take(DataProfiler.TopCount).Select(p => (p.Key, p.Value)).ToArray(),
                };
        }
    }

    /// <summary>The sample's histogram over the whole column's range, its counts scaled to the column's present values.</summary>
    private (double From, double To, int Count)[] Histogram(double[] sample)
    {
        if (sample.Length == 0) return [];
        var scale = (double)_present / sample.Length;
        return DataProfiler.Histogram(sample, _min, _max).Select(b => (b.From, b.To, (int)Math.Round(b.Count * scale))).ToArray();
    }
}
