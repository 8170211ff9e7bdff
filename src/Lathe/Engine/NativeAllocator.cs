using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lathe.Engine;

/// <summary>Keeps glibc's malloc from handing libtorch fresh pages for every large tensor. By default a block above
/// the mmap threshold (128 KB, raised only as such blocks are freed) is mapped on allocation and unmapped on free, and
/// freed memory at the top of a heap is returned to the system, so a CNN's activations (800 KB for 8 images of
/// 32×28×28) page-faulted on first touch at every pass: one 1-channel convolution over 8 images took 0.78–0.90 ms,
/// of which oneDNN's convolution itself was 0.11 ms and turning its blocked output into NCHW 0.36 ms, against
/// 0.11 ms for the whole call with these settings (docs/architecture.md, "Native memory"). Set once, when Lathe
/// loads; skipped where the process was started with glibc's own MALLOC_* variables, which then decide, with
/// LATHE_NATIVE_ALLOCATOR=default (glibc's defaults, for comparison), and where the C library is not glibc.</summary>
internal static class NativeAllocator
{
    private const int TrimThreshold = -1, MmapThreshold = -3;
    /// <summary>glibc's largest mmap threshold on 64-bit (32 MB): blocks up to it come from the heap and are reused.</summary>
    private const int LargestMmapThreshold = 32 * 1024 * 1024;
    /// <summary>Free memory a heap keeps before returning any to the system.</summary>
    private const int KeptFree = 512 * 1024 * 1024;

    /// <summary>Whether the settings were applied in this process.</summary>
    public static bool Tuned { get; private set; }

#pragma warning disable CA2255 // A library's module initializer: every entry point (CLI, server, library use) loads tensors through Lathe.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Tune()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("LATHE_NATIVE_ALLOCATOR") == "default") return;
        try
        {
            Tuned = mallopt(MmapThreshold, LargestMmapThreshold) == 1 & mallopt(TrimThreshold, KeptFree) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no mallopt): its allocator stays as it is.
        }
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern int mallopt(int parameter, int value);
}
