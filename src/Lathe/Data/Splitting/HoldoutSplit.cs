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
            ? Enumerable.Range(0, rows).GroupBy(i => classes[i]).OrderBy(g => g.Key).Select(g => g.ToArray())
            : [Enumerable.Range(0, rows).ToArray()];
        List<int> train = [], validation = [], test = [];
        foreach (var group in groups)
        {
            random.Shuffle(group.AsSpan());
            var n = group.Length;
            var testCount = (int)Math.Round(n * split.Test, MidpointRounding.AwayFromZero);
            var validationCount = (int)Math.Round(n * split.Validation, MidpointRounding.AwayFromZero);
            // A class must keep at least one training row, or the model never sees it.
            while (n - testCount - validationCount < 1 && testCount + validationCount > 0)
            {
                if (testCount >= validationCount) testCount--;
                else validationCount--;
            }
            test.AddRange(group.AsSpan(0, testCount));
            validation.AddRange(group.AsSpan(testCount, validationCount));
            train.AddRange(group.AsSpan(testCount + validationCount));
        }
        return new SplitParts(Sorted(train), Sorted(validation), Sorted(test));
    }

    private static int[] Sorted(List<int> rows)
    {
        var array = rows.ToArray();
        Array.Sort(array);
        return array;
    }
}
