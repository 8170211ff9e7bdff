using System.Numerics;

namespace Lathe.Data.Profiling;

/// <summary>An estimate of how many distinct values a column holds, in 16 KiB whatever the column's size
/// (HyperLogLog with 2^14 registers: a standard error of about 0.8%). Values are added as 64-bit hashes
/// (<see cref="Hash(string)"/>), which are the same in every run.</summary>
internal sealed class HyperLogLog
{
    private const int Bits = 14;
    private const int Registers = 1 << Bits;
    private readonly byte[] _registers = new byte[Registers];

    public void Add(ulong hash)
    {
        var register = (int)(hash >> (64 - Bits));
        var rank = (byte)(BitOperations.LeadingZeroCount((hash << Bits) | (1UL << (Bits - 1))) + 1);
        if (rank > _registers[register]) _registers[register] = rank;
    }

    public long Estimate()
    {
        double sum = 0;
        var zeros = 0;
        foreach (var r in _registers)
        {
            sum += Math.ScaleB(1, -r);
            if (r == 0) zeros++;
        }
        const double alpha = 0.7213 / (1 + 1.079 / Registers);
        var estimate = alpha * Registers * Registers / sum;
        // Few values fill few registers: count the empty ones instead (linear counting).
        if (estimate <= 2.5 * Registers && zeros > 0) estimate = Registers * Math.Log((double)Registers / zeros);
        return (long)Math.Round(estimate);
    }

    /// <summary>FNV-1a over the characters, then mixed so that every bit depends on every character.</summary>
    public static ulong Hash(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value) hash = (hash ^ c) * 1099511628211UL;
        return Mix(hash);
    }

    public static ulong Hash(double value) => Mix((ulong)BitConverter.DoubleToInt64Bits(value) ^ 0x9E3779B97F4A7C15UL);

    /// <summary>The SplitMix64 finaliser.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
