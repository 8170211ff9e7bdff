using Lathe.Config;

namespace Lathe.Data.Splitting;

/// <summary>Splits in time order: the oldest rows train, the next validate, the newest test, so a model is
/// always judged on a future it has not seen. Rows at the same moment stay together; rows without a time
/// are refused, since their place cannot be known.</summary>
public static class TimeSplit
{
    public static SplitParts Split(double[] times, SplitConfig split, string column, string source)
    {
        for (var row = 0; row < times.Length; row++)
            if (double.IsNaN(times[row]))
                throw new DataException($"{source}: row {row + 1} has no value in '{column}', the time the split follows — fill it or drop the row");
        var order = Enumerable.Range(0, times.Length).OrderBy(r => times[r]).ThenBy(r => r).ToArray();
        var trainEnd = Boundary(order, times, (int)Math.Round(times.Length * split.Train, MidpointRounding.AwayFromZero));
        var validationEnd = Boundary(order, times, (int)Math.Round(times.Length * (split.Train + split.Validation), MidpointRounding.AwayFromZero));
        return new SplitParts(Sorted(order[..trainEnd]), Sorted(order[trainEnd..validationEnd]), Sorted(order[validationEnd..]));
    }

    /// <summary>Forward chaining for cross-validation (an expanding window): the rows in time order cut into
    /// <paramref name="folds"/> + 1 blocks of about equal size, each cut moved past rows sharing its time; fold i trains on
    /// blocks 0 … i and is validated on block i + 1, so every fold is judged on a future it has not seen.</summary>
    public static IReadOnlyList<(int[] Train, int[] HeldOut)> Folds(double[] times, int folds, string column, string source)
    {
        for (var row = 0; row < times.Length; row++)
            if (double.IsNaN(times[row]))
                throw new DataException($"{source}: row {row + 1} has no value in '{column}', the time the folds follow — fill it or drop the row");
        var order = Enumerable.Range(0, times.Length).OrderBy(r => times[r]).ThenBy(r => r).ToArray();
        var cuts = Enumerable.Range(0, folds + 2)
            .Select(b => Boundary(order, times, (int)Math.Round(times.Length * (double)b / (folds + 1), MidpointRounding.AwayFromZero))).ToArray();
        var parts = new List<(int[], int[])>(folds);
        for (var i = 0; i < folds; i++)
        {
            var (trainEnd, heldEnd) = (cuts[i + 1], cuts[i + 2]);
            if (trainEnd == 0 || heldEnd <= trainEnd)
                throw new DataException($"training.cv: {folds} time-ordered folds need {folds + 1} blocks of rows with distinct times, but '{column}' (data.split.time) has {times.Distinct().Count()} distinct values among {times.Length} training and validation rows — lower training.cv");
            parts.Add((Sorted(order[..trainEnd]), Sorted(order[trainEnd..heldEnd])));
        }
        return parts;
    }

    /// <summary>Moves a cut forward past rows that share the time just before it, so one moment is never split.</summary>
    private static int Boundary(int[] order, double[] times, int cut)
    {
        cut = Math.Clamp(cut, 0, order.Length);
        while (cut > 0 && cut < order.Length && times[order[cut]] == times[order[cut - 1]]) cut++;
        return cut;
    }

    /// <summary>A column's values as points in time: dates as days, numbers as they are.</summary>
    public static double[] Times(Column column) => column switch
    {
        NumericColumn n => n.Values,
        StringColumn s => s.Values.Select(v => Schema.Values.IsMissing(v) ? double.NaN
            : Schema.Values.TryDate(v!, out var date) ? date.Ticks / (double)TimeSpan.TicksPerDay
            : Schema.Values.TryNumber(v!, out var number) ? number : double.NaN).ToArray(),
        _ => throw new DataException($"column '{column.Name}' holds images, not times"),
    };

    private static int[] Sorted(int[] rows)
    {
        var copy = (int[])rows.Clone();
        Array.Sort(copy);
        return copy;
    }
}
