using System.Runtime.InteropServices;

namespace Lathe.Engine;

/// <summary>How MKL, the matrix library linked into libtorch, picks its kernels in this process.</summary>
public enum MklKernels
{
    /// <summary>By the processor's instruction sets: an Intel processor, or any other once <see cref="MklDispatch"/>
    /// answered MKL's vendor question with yes.</summary>
    Features,
    /// <summary>By vendor, as MKL ships: another maker's processor gets MKL's generic kernels (AVX2 at most). Asked for
    /// with <c>LATHE_MKL_DISPATCH=vendor</c>.</summary>
    Vendor,
    /// <summary>By vendor, because MKL had already chosen before Lathe could answer (a matrix product ran before
    /// <see cref="TorchRuntime.Start"/>), or its question was bound when the library loaded (<c>LD_BIND_NOW</c>, or a
    /// libtorch linked with <c>-z now</c>).</summary>
    TooLate,
    /// <summary>This libtorch has no MKL to ask (another build, another platform).</summary>
    None,
}

/// <summary>Answers MKL's "is this a genuine Intel processor?" with yes, so that it chooses its kernels by the
/// instruction sets the processor has rather than by who made it. MKL gives every other maker's processor its generic
/// kernels: on this project's AMD EPYC (Zen 5, AVX-512) libtorch's sgemm ran <c>mkl_blas_def_sgemm_kernel_0_zen</c>
/// (AVX2), and one Fashion-MNIST image's 32→64 convolution took 106 µs where the AVX-512 kernels take 57
/// (docs/engine.md, "MKL on AMD processors"). MKL still checks each instruction set before it uses it, so the answer
/// only lifts the vendor gate; the same process keeps the same kernels, so runs stay bit-identical.</summary>
/// <remarks>The question is the function <c>mkl_serv_intel_cpu_true</c>, which libtorch_cpu.so exports and calls
/// through its procedure linkage table; the answer replaces that call's slot in the table (outside the part made
/// read-only after loading). MKL asks once and keeps the answer for the process, so this must run before the first
/// matrix product: if any of MKL's three CPU-detection slots is already bound, MKL has asked, and the slot is left alone
/// (<see cref="MklKernels.TooLate"/>) rather than give one process two kinds of kernels.</remarks>
internal static class MklDispatch
{
    private const string Question = "mkl_serv_intel_cpu_true";
    private static readonly string[] DetectionSlots = [Question, "mkl_serv_intel_cpu", "mkl_serv_cpu_detect"];
    private const uint PtDynamic = 2, PtGnuRelro = 0x6474e552;
    private const long DtPltRelSize = 2, DtSymbolTable = 6, DtJumpRelocations = 23;
    private const uint RX8664JumpSlot = 7;
    private const int RelocationSize = 24, SymbolSize = 24;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IntelCpu();

    // Kept for the process's lifetime: MKL holds a pointer to its native thunk.
    private static readonly IntelCpu Yes = () => 1;

    /// <summary>Answers for <paramref name="libtorch"/> (a handle to the loaded libtorch_cpu.so) unless
    /// <c>LATHE_MKL_DISPATCH=vendor</c> asks to keep MKL's own choice.</summary>
    public static MklKernels Apply(IntPtr libtorch)
    {
        if (!NativeLibrary.TryGetExport(libtorch, Question, out var question)) return MklKernels.None;
        if (Environment.GetEnvironmentVariable("LATHE_MKL_DISPATCH") is { } setting && setting.Equals("vendor", StringComparison.OrdinalIgnoreCase))
            return MklKernels.Vendor;
        if (dladdr(question, out var info) == 0 || info.Base == IntPtr.Zero) return MklKernels.None;
        var image = new LoadedElf(info.Base);
        if (!image.Valid) return MklKernels.None;
        var slots = new Dictionary<string, (IntPtr Slot, IntPtr Function)>();
        foreach (var name in DetectionSlots)
        {
            if (!NativeLibrary.TryGetExport(libtorch, name, out var function)) continue;
            foreach (var slot in image.JumpSlotsOf(function)) slots[name] = (slot, function);
        }
        if (!slots.TryGetValue(Question, out var target)) return MklKernels.None;
        // A bound slot holds its function's own address; an unbound one still points into the linkage table. A slot in
        // the part made read-only after loading was bound at load (a library linked with -z now).
        if (image.IsReadOnlyAfterLoad(target.Slot) || slots.Values.Any(s => Marshal.ReadIntPtr(s.Slot) == s.Function)) return MklKernels.TooLate;
        // An Intel processor is already answered yes: nothing to change.
        if (Marshal.GetDelegateForFunctionPointer<IntelCpu>(question)() != 0) return MklKernels.Features;
        Marshal.WriteIntPtr(target.Slot, Marshal.GetFunctionPointerForDelegate(Yes));
        return MklKernels.Features;
    }

    /// <summary>A shared library as the dynamic loader mapped it: its program headers and dynamic section read from
    /// memory (every table used here lies in a loaded segment).</summary>
    private readonly struct LoadedElf
    {
        private readonly IntPtr _base;
        private readonly long _dynamic, _relroStart, _relroEnd;

        public LoadedElf(IntPtr baseAddress)
        {
            _base = baseAddress;
            _dynamic = _relroStart = _relroEnd = 0;
            // "\x7fELF", 64-bit, little-endian.
            if (Marshal.ReadInt32(baseAddress) != 0x464c457f || Marshal.ReadByte(baseAddress, 4) != 2 || Marshal.ReadByte(baseAddress, 5) != 1) return;
            var headers = Marshal.ReadInt64(baseAddress, 0x20);
            int size = (ushort)Marshal.ReadInt16(baseAddress, 0x36), count = (ushort)Marshal.ReadInt16(baseAddress, 0x38);
            for (var i = 0; i < count; i++)
            {
                var header = baseAddress + (nint)(headers + (long)i * size);
                var type = (uint)Marshal.ReadInt32(header);
                long address = Marshal.ReadInt64(header, 0x10), length = Marshal.ReadInt64(header, 0x28);
                if (type == PtDynamic) _dynamic = address;
                else if (type == PtGnuRelro) (_relroStart, _relroEnd) = (address, address + length);
            }
        }

        public bool Valid => _dynamic != 0;

        public bool IsReadOnlyAfterLoad(IntPtr slot) => (long)(slot - _base) >= _relroStart && (long)(slot - _base) < _relroEnd;

        /// <summary>The procedure-linkage slots through which the library calls <paramref name="function"/>.</summary>
        public List<IntPtr> JumpSlotsOf(IntPtr function)
        {
            long relocations = 0, relocationBytes = 0, symbols = 0;
            for (var entry = _base + (nint)_dynamic; ; entry += 16)
            {
                var tag = Marshal.ReadInt64(entry);
                if (tag == 0) break;
                var value = Marshal.ReadInt64(entry, 8);
                if (tag == DtJumpRelocations) relocations = value;
                else if (tag == DtPltRelSize) relocationBytes = value;
                else if (tag == DtSymbolTable) symbols = value;
            }
            var found = new List<IntPtr>();
            if (relocations == 0 || symbols == 0) return found;
            var wanted = (long)(function - _base);
            for (long offset = 0; offset + RelocationSize <= relocationBytes; offset += RelocationSize)
            {
                var relocation = At(relocations) + (nint)offset;
                var info = Marshal.ReadInt64(relocation, 8);
                if ((uint)info != RX8664JumpSlot) continue;
                var symbol = At(symbols) + (nint)((info >>> 32) * SymbolSize);
                if (Marshal.ReadInt64(symbol, 8) == wanted) found.Add(_base + (nint)Marshal.ReadInt64(relocation));
            }
            return found;
        }

        // glibc rewrites some dynamic-section addresses to absolute ones as it loads a library; others stay relative.
        private IntPtr At(long address) => (ulong)address >= (ulong)_base ? (IntPtr)address : _base + (nint)address;
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern int dladdr(IntPtr address, out DlInfo info);

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public IntPtr FileName, Base, SymbolName, SymbolAddress;
    }
}
