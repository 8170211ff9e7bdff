using System.Runtime.InteropServices;
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
        _ = NnpackOff; // checked once, now that libtorch is loaded
        return count;
    }

    /// <summary>Whether NNPACK (one of libtorch's CPU convolution back ends) was found unusable here and turned off.
    /// libtorch asks for it before every convolution and, where its start-up fails, writes "Could not initialize
    /// NNPACK! Reason: Unsupported hardware." to stderr each time: on this project's virtual machines (whose CPU
    /// reports no cache sizes) 57,316 lines in 40 s of serving the Fashion-MNIST CNN, one write a request. Where it
    /// starts, it is left as libtorch has it.</summary>
    public static bool NnpackOff => NnpackChecked.Value;

    private static readonly Lazy<bool> NnpackChecked = new(TurnOffUnusableNnpack);

    private static bool TurnOffUnusableNnpack()
    {
        // libtorch is already loaded (a call above needed it), so its name finds that copy; NNPACK is linked into it.
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libtorch_cpu.so", out var libtorch)) return false;
        if (!NativeLibrary.TryGetExport(libtorch, "nnp_initialize", out var initialize)
            || !NativeLibrary.TryGetExport(libtorch, "_ZN2at13globalContextEv", out var globalContext)
            || !NativeLibrary.TryGetExport(libtorch, "_ZN2at7Context20setUserEnabledNNPACKEb", out var setEnabled))
            return false;
        // nnp_initialize is idempotent and returns nnp_status_success (0) where NNPACK can run.
        if (Marshal.GetDelegateForFunctionPointer<NnpInitialize>(initialize)() == 0) return false;
        var context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(globalContext)();
        Marshal.GetDelegateForFunctionPointer<SetUserEnabledNnpack>(setEnabled)(context, false);
        return true;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NnpInitialize();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    // at::Context::setUserEnabledNNPACK(bool): the object as the first argument, as the x86-64 ABI passes `this`.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
