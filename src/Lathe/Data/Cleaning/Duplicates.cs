using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var conflicting = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<int>(table.RowCount);
        for (var row = 0; row < table.RowCount; row++)
        {
            var features = Key(table, row, except: target);
            var label = table.Contains(target) ? Key(table[target], row) : "";
            if (!seen.Add(features + "\u0001" + label)) continue;
            kept.Add(row);
            if (!labels.TryAdd(features, label)) conflicting.Add(features);
        }
        var dropped = table.RowCount - kept.Count;
        return (dropped == 0 ? table : table.Gather(kept.ToArray()), dropped, conflicting.Count);
    }

    private static string Key(Table table, int row, string except)
    {
        var key = new StringBuilder();
        foreach (var column in table.Columns)
            if (column.Name != except) key.Append(Key(column, row)).Append('\u0000');
        return key.ToString();
    }

    private static string Key(Column column, int row) => column switch
    {
        StringColumn s => s.Values[row] ?? "\u0002",
        NumericColumn n => n.Values[row].ToString("R", CultureInfo.InvariantCulture),
        ImageColumn i => Convert.ToBase64String(SHA256.HashData(i.Pixels.AsSpan(row * i.PixelsPerImage, i.PixelsPerImage))),
        _ => "",
    };
}
