namespace Lathe.Data.Augmentation;

/// <summary>SMOTE: new training rows for minority classes, each a random point on the segment between a real
/// row and one of its k nearest neighbours of the same class (in the prepared feature space). Raises every
/// class to <c>ratio</c> × the largest class's count. Seeded; training part only. With <c>numeric</c> set (rows packed by
/// an <see cref="Pipeline.InputLayout"/>), only the first that many features are interpolated and measured for the
/// neighbours; the rest (category codes, token ids) are copied from the real row, as SMOTE-NC keeps nominal values whole.</summary>
public static class Smote
{
    public const int Neighbours = 5;
    /// <summary>Neighbours are searched among at most this many rows of a class, so the search stays quadratic in a bounded size.</summary>
    private const int SearchRows = 5000;

    /// <returns>The synthetic rows' features (row-major, <paramref name="width"/> wide) and classes; empty when nothing is needed.</returns>
    public static (float[] Values, long[] Classes) Synthesize(float[] values, int width, long[] classes, double ratio, int seed, int? numeric = null)
    {
        var interpolated = numeric ?? width;
        var random = new SeededRandom(seed, stream: 4);
        var byClass = Enumerable.Range(0, classes.Length).GroupBy(r => classes[r]).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.ToArray());
        var largest = byClass.Values.Max(rows => rows.Length);
        var newValues = new List<float>();
        var newClasses = new List<long>();
        foreach (var (label, rows) in byClass)
        {
            var needed = (int)Math.Round(ratio * largest) - rows.Length;
            if (needed <= 0 || rows.Length < 2) continue;
            var pool = rows.Length <= SearchRows ? rows : Enumerable.Range(0, SearchRows).Select(i => rows[(int)((long)i * rows.Length / SearchRows)]).ToArray();
            var neighbours = NearestNeighbours(values, width, interpolated, pool);
            for (var n = 0; n < needed; n++)
            {
                var i = random.Next(pool.Length);
                var j = neighbours[i][random.Next(neighbours[i].Length)];
                var gap = (float)(random.NextUInt64() >> 11) / (1UL << 53);
                var a = pool[i] * width;
                var b = pool[j] * width;
                for (var f = 0; f < interpolated; f++) newValues.Add(values[a + f] + gap * (values[b + f] - values[a + f]));
                for (var f = interpolated; f < width; f++) newValues.Add(values[a + f]);
                newClasses.Add(label);
            }
        }
        return (newValues.ToArray(), newClasses.ToArray());
    }

    /// <summary>For each row of the pool, the pool indices of its nearest other rows (squared Euclidean distance over
    /// the first <paramref name="measured"/> features).</summary>
    private static int[][] NearestNeighbours(float[] values, int width, int measured, int[] pool)
    {
        var k = Math.Min(Neighbours, pool.Length - 1);
        var result = new int[pool.Length][];
        var distances = new (double Distance, int Index)[pool.Length];
        for (var i = 0; i < pool.Length; i++)
        {
            var a = pool[i] * width;
            for (var j = 0; j < pool.Length; j++)
            {
                double d = 0;
                var b = pool[j] * width;
                for (var f = 0; f < measured; f++)
                {
                    var diff = values[a + f] - values[b + f];
                    d += diff * diff;
                }
                distances[j] = (j == i ? double.PositiveInfinity : d, j);
            }
            result[i] = distances.OrderBy(p => p.Distance).ThenBy(p => p.Index).Take(k).Select(p => p.Index).ToArray();
        }
        return result;
    }
}
