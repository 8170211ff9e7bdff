namespace Lathe;

/// <summary>Lathe's own seeded generator (SplitMix64), so that splits and batch orders depend on the
/// seed alone, never on a runtime's choice of algorithm.</summary>
public sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    public SeededRandom(int seed, int stream = 0) : this(((ulong)(uint)seed << 32) ^ (uint)stream ^ 0x9E3779B97F4A7C15UL) { }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, n).</summary>
    public int Next(int n)
    {
        // Rejection keeps every value equally likely.
        var limit = ulong.MaxValue - ulong.MaxValue % (ulong)n;
        ulong value;
        do value = NextUInt64(); while (value >= limit);
        return (int)(value % (ulong)n);
    }

    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    public int[] Permutation(int n)
    {
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        Shuffle(order.AsSpan());
        return order;
    }
}
