using Lathe.Config;

namespace Lathe.Data.Splitting;

/// <summary>Splits so that every row of a group (a patient, a user, a site) lands in the same part: whole
/// groups, in an order shuffled by the seed, fill test, then validation, then training, until each part
/// holds about its fraction of the rows.</summary>
public static class GroupSplit
{
    public static SplitParts Split(string?[] groups, SplitConfig split, int seed)
    {
        var (byGroup, order) = Shuffled(groups, seed, stream: 2);

        double testTarget = groups.Length * split.Test, validationTarget = groups.Length * split.Validation;
        List<int> train = [], validation = [], test = [];
        foreach (var key in order)
        {
            var rows = byGroup[key];
            // A group goes where it brings the part closest to its target without leaving training empty.
            if (test.Count + rows.Count / 2.0 <= testTarget) test.AddRange(rows);
            else if (validation.Count + rows.Count / 2.0 <= validationTarget) validation.AddRange(rows);
            else train.AddRange(rows);
        }
        return new SplitParts(Sorted(train), Sorted(validation), Sorted(test));
    }

    /// <summary>Each group's rows, and the groups in an order shuffled by <paramref name="seed"/> (from their ordinal
    /// order, so the result does not depend on the rows' order). Rows without a group value are each a group of their own.</summary>
    internal static (Dictionary<string, List<int>> Rows, string[] Order) Shuffled(string?[] groups, int seed, int stream)
    {
        var byGroup = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var row = 0; row < groups.Length; row++)
        {
            var key = groups[row] ?? $"\u0000row{row}";
            if (!byGroup.TryGetValue(key, out var rows)) byGroup[key] = rows = [];
            rows.Add(row);
        }
        var order = byGroup.Keys.Order(StringComparer.Ordinal).ToArray();
        new SeededRandom(seed, stream).Shuffle(order.AsSpan());
        return (byGroup, order);
    }

    private static int[] Sorted(List<int> rows)
    {
        var array = rows.ToArray();
        Array.Sort(array);
        return array;
    }
}
