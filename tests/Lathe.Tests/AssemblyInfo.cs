// The engine's thread count is process-wide and bit-identity tests depend on it: run tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Lathe.Tests
{
    internal static class EngineStart
    {
        // Before any test's first tensor operation: MKL picks its kernels once per process (TorchRuntime.Start), and the
        // CLI processes that tests start pick theirs at their own start, so both sides must have answered MKL first.
#pragma warning disable CA2255 // the test assembly's own start-up
        [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
        internal static void Start() => Lathe.Engine.TorchRuntime.Start();
    }
}
