namespace Lathe.Data.Cleaning;

/// <summary>Finds exact duplicate rows (images compared by their pixels) before the split, so that no row
/// can sit in both training and test; and counts conflicting duplicates — rows with the same features but
/// a different target — which no model can get all right.</summary>
public static class Duplicates
{
    /// <summary>Under this share of rows, duplicates are taken as accidental and <c>auto</c> drops them.</summary>
    public const double AutoDropBelow = 0.01;

    /// <summary>Applies <paramref name="handling"/>: returns the rows kept, the duplicates found, how many were
    /// dropped, and the number of conflicting groups.</summary>
    public static (Table Kept, int Found, int Dropped, int Conflicting) Handle(Table table, string target, Config.DuplicateHandling handling)
    {
        if (handling == Config.DuplicateHandling.Keep) return (table, 0, 0, 0);
        var (kept, found, conflicting) = Drop(table, target);
        var drop = handling == Config.DuplicateHandling.Drop || found < AutoDropBelow * table.RowCount;
        return drop ? (kept, found, found, conflicting) : (table, found, 0, conflicting);
    }

    public static (Table Kept, int Dropped, int Conflicting) Drop(Table table, string target)
    {
        // Rows are compared by value through a hash of each row: no row is ever turned into text.
        var features = new RowComparer(table.Columns.Where(c => c.Name != target).ToArray());
        var whole = new RowComparer(table.Columns.ToArray());
        var seen = new HashSet<int>(table.RowCount, whole);
        var labels = new Dictionary<int, int>(features);
        var conflicting = new HashSet<int>(features);
        var label = table.Contains(target) ? new RowComparer([table[target]]) : null;
        var kept = new List<int>(table.RowCount);
        for (var row = 0; row < table.RowCount; row++)
        {
            if (!seen.Add(row)) continue;
            kept.Add(row);
            // The first row with these features holds the label that later rows are compared with.
            if (!labels.TryAdd(row, row) && label is not null && !label.Equals(labels[row], row)) conflicting.Add(row);
        }
        var dropped = table.RowCount - kept.Count;
        return (dropped == 0 ? table : table.Gather(kept.ToArray()), dropped, conflicting.Count);
    }

    /// <summary>Rows as keys: equal when every column holds the same value (missing equals missing, images
    /// equal pixel for pixel), with each row's hash computed once.</summary>
    private sealed class RowComparer : IEqualityComparer<int>
    {
        private readonly Column[] _columns;
        private readonly int[] _hashes;

        public RowComparer(Column[] columns)
        {
            _columns = columns;
            _hashes = new int[columns.Length == 0 ? 0 : columns[0].Count];
            for (var row = 0; row < _hashes.Length; row++)
            {
                var hash = new HashCode();
                foreach (var column in columns)
                {
                    switch (column)
                    {
                        case StringColumn s: hash.Add(s.Values[row], StringComparer.Ordinal); break;
                        case NumericColumn n: hash.Add(Normal(n.Values[row])); break;
                        case OneHotColumn o: hash.Add(o.Codes[row]); break;
                        case ImageColumn i: hash.AddBytes(Pixels(i, row)); break;
                    }
                }
                _hashes[row] = hash.ToHashCode();
            }
        }

        public bool Equals(int a, int b)
        {
            if (_hashes[a] != _hashes[b]) return false;
            foreach (var column in _columns)
            {
                var same = column switch
                {
                    StringColumn s => string.Equals(s.Values[a], s.Values[b], StringComparison.Ordinal),
                    NumericColumn n => Normal(n.Values[a]) == Normal(n.Values[b]),
                    OneHotColumn o => o.Codes[a] == o.Codes[b],
                    ImageColumn i => Pixels(i, a).SequenceEqual(Pixels(i, b)),
                    _ => true,
                };
                if (!same) return false;
            }
            return true;
        }

        public int GetHashCode(int row) => _hashes[row];

        /// <summary>Bits that are equal exactly when the values are: every NaN alike, and 0 with −0.</summary>
        private static long Normal(double value) => double.IsNaN(value) ? long.MinValue : value == 0 ? 0 : BitConverter.DoubleToInt64Bits(value);

        private static ReadOnlySpan<byte> Pixels(ImageColumn images, int row) => images.Pixels.AsSpan(row * images.PixelsPerImage, images.PixelsPerImage);
    }
}
