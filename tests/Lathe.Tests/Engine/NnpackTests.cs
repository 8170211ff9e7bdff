using System.Runtime.InteropServices;
using Lathe.Engine;
using static TorchSharp.torch;

namespace Lathe.Tests.Engine;

public class NnpackTests
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NnpInitialize();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool UserEnabledNnpack(IntPtr context);

    [Fact]
    public void NNPACK_stays_on_exactly_where_it_starts_and_convolutions_still_run()
    {
        TorchRuntime.UseThreads(1);
        var libtorch = NativeLibrary.Load("libtorch_cpu.so");
        var starts = Marshal.GetDelegateForFunctionPointer<NnpInitialize>(NativeLibrary.GetExport(libtorch, "nnp_initialize"))() == 0;
        var context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(NativeLibrary.GetExport(libtorch, "_ZN2at13globalContextEv"))();
        var enabled = Marshal.GetDelegateForFunctionPointer<UserEnabledNnpack>(NativeLibrary.GetExport(libtorch, "_ZNK2at7Context17userEnabledNNPACKEv"))(context);

        Assert.Equal(starts, enabled);
        Assert.Equal(!starts, TorchRuntime.NnpackOff);
        // A batch of 16 is where libtorch would pick NNPACK; the answer is the same convolution either way.
        using var input = ones(16, 1, 8, 8);
        using var weight = ones(2, 1, 3, 3);
        using var output = nn.functional.conv2d(input, weight, padding: [1, 1]);
        Assert.Equal(9f, output[0, 0, 4, 4].item<float>());
        Assert.Equal(4f, output[15, 1, 0, 0].item<float>());
    }
}
