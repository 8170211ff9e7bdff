using static TorchSharp.torch;

namespace Lathe.Engine;

/// <summary>Sets up the tensor engine for a run: a fixed thread count (bit-identical results depend on
/// it) and the seed of the engine's own generator (initial weights, dropout).</summary>
public static class TorchRuntime
{
    /// <summary>Applies <paramref name="threads"/> (0: every core) and returns the count in use.</summary>
    public static int Configure(int threads, int seed)
    {
        var count = UseThreads(threads);
        manual_seed(seed);
        return count;
    }

    /// <summary>Sets the engine's thread count for this thread's passes (0: every core) and returns it: prediction,
    /// which needs no seed.</summary>
    public static int UseThreads(int threads)
    {
        var count = threads > 0 ? threads : Environment.ProcessorCount;
        set_num_threads(count);
        return count;
    }
}
