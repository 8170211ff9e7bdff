using System.Diagnostics;
using Lathe.Bundles;
using Lathe.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace Lathe.Tests.Training;

/// <summary>R12: training steps (with checkpoints and the step log) and single-row predictions leave no tensor alive
/// and do not grow the process.</summary>
public class NativeMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void Loading_lathe_sets_glibcs_malloc_to_keep_freed_blocks()
    {
        // This test host set none of glibc's MALLOC_* variables nor LATHE_NATIVE_ALLOCATOR, so the module initializer
        // applied both settings and glibc accepted them (mallopt returns 1 only for a value it takes).
        Assert.Null(Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_"));
        Assert.Null(Environment.GetEnvironmentVariable("LATHE_NATIVE_ALLOCATOR"));
        Assert.True(Lathe.Engine.NativeAllocator.Tuned);
    }

    [Fact]
    public void Training_1005_steps_and_10000_single_row_predictions_leave_no_live_tensor_and_grow_rss_less_than_5_percent()
    {
        // 67 epochs of 15 batches, a checkpoint every 4 steps.
        var config = CheckpointTests.Config() with { Training = CheckpointTests.Config().Training with { Epochs = 67, Patience = 0 } };
        var warmUp = TrainingRun.Run(config, TestData.TempDirectory());
        PredictSingleRows(warmUp, 1000);
        var statistics = DisposeScopeManager.Statistics;
        // TorchSharp's exact count of this thread's live tensors, in dispose scopes or not.
        var live = statistics.ThreadTotalLiveCount;
        var before = Rss();

        var result = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.Equal(1005, Checkpoint.Latest(result.OutputDirectory).Checkpoint.Step);
        PredictSingleRows(result, 10_000);

        Assert.Equal(live, statistics.ThreadTotalLiveCount);
        var after = Rss();
        var growth = (double)(after - before) / before;
        output.WriteLine($"RSS after warm-up {before / 1048576.0:0.0} MiB, after 1,005 steps and 10,000 predictions {after / 1048576.0:0.0} MiB ({growth:+0.0%;-0.0%})");
        Assert.True(growth < 0.05, $"RSS grew from {before} to {after} bytes ({growth:P1})");
        Assert.Equal(warmUp.Metrics.History.Count, result.Metrics.History.Count);
    }

    [Fact]
    public void Cnn_steps_through_lathes_own_pooling_and_adam_leave_no_live_tensor_and_grow_rss_less_than_5_percent()
    {
        // The pooling's autograd function (its saved winners, its graph node) and the one-pass Adam, 300 steps on
        // Fashion-MNIST pictures after 100 of warm-up.
        var (x, y) = Lathe.Tests.Models.ModelData.Fashion(512);
        using var _x = x;
        using var _y = y;
        torch.manual_seed(8);
        using var model = new Lathe.Models.Cnn([1, 28, 28], [8, 16], 32, 0.25, 10);
        using var optimizer = Optimizers.Create(new Lathe.Config.TrainingConfig(), model.parameters());
        void Steps(int count)
        {
            for (var step = 0; step < count; step++)
            {
                using var scope = torch.NewDisposeScope();
                var rows = torch.arange(step * 64 % 512, step * 64 % 512 + 64);
                optimizer.zero_grad();
                torch.nn.functional.cross_entropy(model.forward(x.index_select(0, rows)), y.index_select(0, rows)).backward();
                optimizer.step();
            }
        }
        Steps(100);
        var statistics = DisposeScopeManager.Statistics;
        var live = statistics.ThreadTotalLiveCount;
        var before = Rss();
        Steps(300);
        Assert.Equal(live, statistics.ThreadTotalLiveCount);
        var after = Rss();
        var growth = (double)(after - before) / before;
        output.WriteLine($"RSS after 100 CNN steps {before / 1048576.0:0.0} MiB, after 300 more {after / 1048576.0:0.0} MiB ({growth:+0.0%;-0.0%})");
        Assert.True(growth < 0.05, $"RSS grew from {before} to {after} bytes ({growth:P1})");
    }

    private static void PredictSingleRows(TrainResult run, int count)
    {
        using var predictor = Bundle.Load(run.BundlePath).CreatePredictor();
        for (var i = 0; i < count; i++) predictor.Predict(run.TestRows.Gather([i % run.TestRows.RowCount]));
    }

    /// <summary>Resident set size after a full garbage collection (finalisers free native tensors the GC owned).</summary>
    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
