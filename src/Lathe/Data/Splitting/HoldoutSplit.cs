using Lathe.Config;

namespace Lathe.Data.Splitting;

/// <summary>Splits rows into train, validation and test by seed. Stratified, each class is split on its
/// own, so every part keeps the class shares of the whole.</summary>
public static class HoldoutSplit
{
    public static SplitParts Split(int rows, SplitConfig split, int seed, long[]? classes = null)
    {
        var random = new SeededRandom(seed, stream: 1);
        var groups = classes is not null && split.Stratify
            ? Enumerable.Range(0, rows).GroupBy(i => classes[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray()
            : [Enumerable.Range(0, rows).ToArray()];
        var sizes = groups.Select(g => g.Length).ToArray();
        // Each class keeps at least one training row, or the model never sees it.
        var spare = sizes.Select(n => Math.Max(0, n - 1)).ToArray();
        var testCounts = Allocate(sizes, split.Test, spare);
        for (var g = 0; g < groups.Length; g++) spare[g] -= testCounts[g];
        var validationCounts = Allocate(sizes, split.Validation, spare);

        List<int> train = [], validation = [], test = [];
        for (var g = 0; g < groups.Length; g++)
        {
            var group = groups[g];
            random.Shuffle(group.AsSpan());
            test.AddRange(group.AsSpan(0, testCounts[g]));
            validation.AddRange(group.AsSpan(testCounts[g], validationCounts[g]));
            train.AddRange(group.AsSpan(testCounts[g] + validationCounts[g]));
        }
        return new SplitParts(Sorted(train), Sorted(validation), Sorted(test));
    }

    /// <summary>Rows of each class for one part: the part's total (its fraction of all rows, rounded) shared
    /// out by largest remainder, so small classes do not all round down to an empty part.</summary>
    private static int[] Allocate(int[] sizes, double fraction, int[] available)
    {
        var total = (int)Math.Round(sizes.Sum() * fraction, MidpointRounding.AwayFromZero);
        var counts = new int[sizes.Length];
        for (var g = 0; g < sizes.Length; g++) counts[g] = Math.Min((int)Math.Floor(sizes[g] * fraction), available[g]);
        var order = Enumerable.Range(0, sizes.Length)
            .OrderByDescending(g => sizes[g] * fraction - Math.Floor(sizes[g] * fraction))
            .ThenByDescending(g => sizes[g])
            .ThenBy(g => g)
            .ToArray();
        // One more row each, largest remainder first, never past a class's rounded-up share or its spare rows.
        var left = total - counts.Sum();
        foreach (var g in order)
        {
            if (left == 0) break;
            if (counts[g] >= available[g] || counts[g] >= Math.Ceiling(sizes[g] * fraction)) continue;
            counts[g]++;
            left--;
        }
        return counts;
    }

    private static int[] Sorted(List<int> rows)
    {
        var array = rows.ToArray();
        Array.Sort(array);
        return array;
    }
}
