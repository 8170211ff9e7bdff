using Lathe.Config;
using Lathe.Data.Pipeline;

namespace Lathe.Data.Features;

/// <summary>The training target as the screening tests read it (<see cref="DatePartScreening"/>,
/// <see cref="Transforms.ValueCategories"/>): a class per row, or <see cref="Width"/> standardised numbers per row
/// (regression targets, or multilabel 0/1 labels).</summary>
internal sealed class TargetOutcome(int[]? classes, int classCount, double[]? numbers, int width)
{
    /// <summary>Each row's class (classification), else null.</summary>
    public int[]? Classes => classes;

    /// <summary>Values per row: the classes' count, or the standardised numbers'.</summary>
    public int Width => classes is not null ? classCount : width;

    /// <summary>The standardised numbers, row-major (<see cref="Width"/> per row), else null.</summary>
    public double[]? Numbers => numbers;

    /// <summary>At most <paramref name="most"/> evenly spaced rows of <paramref name="count"/>, in order: the rows a screening
    /// test reads of a long table.</summary>
    public static int[] EvenlySpaced(int count, int most) => count <= most
        ? Enumerable.Range(0, count).ToArray()
        : Enumerable.Range(0, most).Select(i => (int)((long)i * count / most)).ToArray();

    public static TargetOutcome Of(Table rows, FittedTarget target)
    {
        if (target.Task == TaskKind.Classification)
            return new TargetOutcome(Array.ConvertAll(target.EncodeClasses(rows), k => (int)k), target.Classes.Count, null, 0);
        // NumbersOf may hand back the target column's own array: standardise a copy.
        var numbers = (double[])target.NumbersOf(rows).Clone();
        var width = target.Width;
        var n = numbers.Length / width;
        for (var j = 0; j < width; j++)
        {
            var mean = 0.0;
            for (var i = 0; i < n; i++) mean += numbers[i * width + j];
            mean /= n;
            var variance = 0.0;
            for (var i = 0; i < n; i++) variance += Math.Pow(numbers[i * width + j] - mean, 2);
            var scale = variance > 0 ? 1 / Math.Sqrt(variance / n) : 0;
            for (var i = 0; i < n; i++) numbers[i * width + j] = (numbers[i * width + j] - mean) * scale;
        }
        return new TargetOutcome(null, 0, numbers, width);
    }

    public TargetOutcome Rows(int[] rows)
    {
        if (classes is not null) return new TargetOutcome(rows.Select(i => classes[i]).ToArray(), classCount, null, 0);
        var picked = new double[rows.Length * width];
        for (var r = 0; r < rows.Length; r++) Array.Copy(numbers!, rows[r] * width, picked, r * width, width);
        return new TargetOutcome(null, 0, picked, width);
    }

    /// <summary>Σ over target columns of Σ over levels of (level sum)² / level count, each column weighted by
    /// 1 / its variance: the between-level sum of squares up to a term that shuffling does not change.</summary>
    public double Statistic(int[] levels, int levelCount)
    {
        var size = levels.Length;
        var counts = new double[levelCount];
        foreach (var level in levels) counts[level]++;
        if (classes is not null)
        {
            var table = new double[levelCount * classCount];
            for (var i = 0; i < size; i++) table[levels[i] * classCount + classes[i]]++;
            var totals = new double[classCount];
            for (var i = 0; i < size; i++) totals[classes[i]]++;
            var sum = 0.0;
            for (var k = 0; k < classCount; k++)
            {
                var share = totals[k] / size;
                if (share <= 0 || share >= 1) continue;
                var between = 0.0;
                for (var l = 0; l < levelCount; l++)
                    if (counts[l] > 0) between += table[l * classCount + k] * table[l * classCount + k] / counts[l];
                sum += (between - totals[k] * share) / (share * (1 - share));
            }
            return sum;
        }
        var sums = new double[levelCount * width];
        for (var i = 0; i < size; i++)
            for (var j = 0; j < width; j++)
                sums[levels[i] * width + j] += numbers![i * width + j];
        var total = 0.0;
        for (var l = 0; l < levelCount; l++)
            if (counts[l] > 0)
                for (var j = 0; j < width; j++)
                    total += sums[l * width + j] * sums[l * width + j] / counts[l];
        return total;
    }
}
