using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Lathe.Engine;
using static TorchSharp.torch;

namespace Lathe.Tests.Engine;

public class MklDispatchTests
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CpuDetect();

    /// <summary>The kernel family MKL chose for this process (0: its generic kernels), as MKL's own detection returns it.</summary>
    private static int MklCpuType()
    {
        var libtorch = NativeLibrary.Load("libtorch_cpu.so");
        return Marshal.GetDelegateForFunctionPointer<CpuDetect>(NativeLibrary.GetExport(libtorch, "mkl_serv_cpu_detect"))();
    }

    [Fact]
    public void MKL_chooses_by_instruction_set_and_its_products_stay_right()
    {
        // The test assembly started the engine before any test ran (AssemblyInfo.cs), as every Lathe run does. With every
        // symbol bound at load, MKL's question is answered before Lathe can: it says so and leaves the choice to MKL.
        var boundAtLoad = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("LD_BIND_NOW"));
        Assert.Equal(boundAtLoad ? MklKernels.TooLate : MklKernels.Features, TorchRuntime.Mkl);
        // With the vendor gate, every non-Intel processor gets type 0, whatever it can do (a Zen 5 with AVX-512 did).
        if (Avx2.IsSupported && !boundAtLoad) Assert.True(MklCpuType() > 0, $"MKL chose its generic kernels (type {MklCpuType()})");

        // The Fashion-MNIST CNN's second convolution as libtorch runs it for one image: [64, 288] × [288, 196].
        TorchRuntime.UseThreads(1);
        var random = new Random(7);
        var a = Enumerable.Range(0, 64 * 288).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var b = Enumerable.Range(0, 288 * 196).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        using var left = tensor(a, 64, 288);
        using var right = tensor(b, 288, 196);
        using var product = left.mm(right);
        var got = product.data<float>().ToArray();
        var worst = 0.0;
        for (var i = 0; i < 64; i++)
        for (var j = 0; j < 196; j++)
        {
            var exact = 0.0;
            for (var k = 0; k < 288; k++) exact += (double)a[i * 288 + k] * b[k * 196 + j];
            worst = Math.Max(worst, Math.Abs(exact - got[i * 196 + j]));
        }
        Assert.True(worst < 1e-4, $"largest error {worst}");
    }

    [Fact]
    public void A_run_asked_to_keep_MKLs_vendor_choice_keeps_it_and_says_so()
    {
        var directory = TestData.TempDirectory();
        File.WriteAllText(Path.Combine(directory, "config.yaml"), $$"""
            task: classification
            target: Species
            data: { path: {{TestData.Vega("penguins.json")}} }
            training: { epochs: 2 }
            """);
        var train = Cli.LatheProcess.RunWith(new Dictionary<string, string?> { ["LATHE_MKL_DISPATCH"] = "vendor" }, directory, "train", "config.yaml", "--out", "run");
        Assert.True(train.ExitCode == 0, $"lathe train exited {train.ExitCode}: {train.Error}");

        var metrics = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "run", "metrics.json")))!;
        Assert.Equal("vendor", metrics["mkl"]!.GetValue<string>());
    }
}
