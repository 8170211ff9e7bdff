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
        Start();
        var count = threads > 0 ? threads : Environment.ProcessorCount;
        set_num_threads(count);
        return count;
    }

    /// <summary>Loads libtorch and settles, once per process, what must be settled before its first operation: MKL's
    /// choice of kernels (<see cref="Mkl"/>) and NNPACK (<see cref="NnpackOff"/>). Every run goes through here
    /// (<see cref="Configure"/>, <see cref="UseThreads"/>); a program that calls TorchSharp itself should call it first,
    /// since a matrix product before it leaves MKL on its vendor-chosen kernels for the whole process.</summary>
    public static void Start() => _ = Started.Value;

    /// <summary>How MKL picks its kernels in this process (<see cref="MklDispatch"/>); settled by <see cref="Start"/>.</summary>
    public static MklKernels Mkl
    {
        get
        {
            Start();
            return _mkl;
        }
    }

    private static MklKernels _mkl = MklKernels.None;

    private static readonly Lazy<bool> Started = new(() =>
    {
        InitializeDeviceType(TorchSharp.DeviceType.CPU); // loads libtorch, runs none of its operations
        // Now loaded, so the library's name finds TorchSharp's copy (not another libtorch on the system's search path).
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libtorch_cpu.so", out var libtorch)) return true;
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64) _mkl = MklDispatch.Apply(libtorch);
        _nnpackOff = TurnOffUnusableNnpack(libtorch);
        return true;
    });

    /// <summary>Whether NNPACK (one of libtorch's CPU convolution back ends) was found unusable here and turned off.
    /// libtorch asks for it before every convolution and, where its start-up fails, writes "Could not initialize
    /// NNPACK! Reason: Unsupported hardware." to stderr each time: on this project's virtual machines (whose CPU
    /// reports no cache sizes) 57,316 lines in 40 s of serving the Fashion-MNIST CNN, one write a request. Where it
    /// starts, it is left as libtorch has it.</summary>
    public static bool NnpackOff
    {
        get
        {
            Start();
            return _nnpackOff;
        }
    }

    private static bool _nnpackOff;

    private static bool TurnOffUnusableNnpack(IntPtr libtorch)
    {
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
