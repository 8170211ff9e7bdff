namespace Lathe.Data.Splitting;

/// <summary>Assigns every row to one of k folds by seed, for cross-validation and out-of-fold predictions.
/// Stratified, each class is dealt out round-robin after its own shuffle, so every fold keeps the class
/// shares of the whole.</summary>
public static class KFold
{
    /// <returns>The fold (0 … k−1) of each row.</returns>
    public static int[] Assign(int rows, int folds, int seed, long[]? classes = null)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), "k-fold needs at least 2 folds");
        if (rows < folds) throw new DataException($"{rows} rows cannot make {folds} folds — use fewer folds");
        var random = new SeededRandom(seed, stream: 3);
        var fold = new int[rows];
        var groups = classes is null
            ? [Enumerable.Range(0, rows).ToArray()]
            : Enumerable.Range(0, rows).GroupBy(r => classes[r]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        var next = 0;
        foreach (var group in groups)
        {
            random.Shuffle(group.AsSpan());
            // Continue the deal where the previous class stopped, so fold sizes stay within one row.
            foreach (var row in group) fold[row] = next++ % folds;
        }
        return fold;
    }

    /// <summary>Group k-fold: every row of a group (a patient, a user, a site) in the same fold. Groups go, largest
    /// first (ties in an order shuffled by the seed), each into the fold with the fewest rows so far (the lowest-numbered
    /// on a tie), which keeps the folds' sizes close. Rows without a group value are each a group of their own.</summary>
    /// <returns>The fold (0 … k−1) of each row.</returns>
    public static int[] AssignGroups(string?[] groups, int folds, int seed, string column)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), "k-fold needs at least 2 folds");
        var (byGroup, order) = GroupSplit.Shuffled(groups, seed, stream: 3);
        if (byGroup.Count < folds)
            throw new DataException($"training.cv: {folds} group folds need at least {folds} groups, but '{column}' (data.split.group) has {byGroup.Count} among the training and validation rows — lower training.cv");
        var fold = new int[groups.Length];
        var sizes = new int[folds];
        // OrderByDescending is stable: equal sizes keep the shuffled order.
        foreach (var key in order.OrderByDescending(k => byGroup[k].Count))
        {
            var lightest = Array.IndexOf(sizes, sizes.Min());
            foreach (var row in byGroup[key]) fold[row] = lightest;
            sizes[lightest] += byGroup[key].Count;
        }
        return fold;
    }

    /// <summary>The rows of fold <paramref name="k"/> (held out) and of every other fold (to train on).</summary>
    public static (int[] Train, int[] HeldOut) Parts(int[] assignment, int k) =>
        (Enumerable.Range(0, assignment.Length).Where(r => assignment[r] != k).ToArray(),
         Enumerable.Range(0, assignment.Length).Where(r => assignment[r] == k).ToArray());
}
