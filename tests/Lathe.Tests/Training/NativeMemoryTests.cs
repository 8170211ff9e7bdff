using Lathe.Bundles;
using Lathe.Training;
using TorchSharp;

namespace Lathe.Tests.Training;

/// <summary>R12 at small scale: training steps (with checkpoints) and single-row predictions leave no tensor alive.</summary>
public class NativeMemoryTests
{
    [Fact]
    public void Training_600_steps_with_checkpoints_and_1000_single_row_predictions_leave_no_live_tensor()
    {
        var config = CheckpointTests.Config() with { Training = CheckpointTests.Config().Training with { Epochs = 40, Patience = 0 } };
        var warmUp = TrainingRun.Run(config, TestData.TempDirectory());
        var statistics = DisposeScopeManager.Statistics;
        // TorchSharp's exact count of this thread's live tensors, in dispose scopes or not.
        var live = statistics.ThreadTotalLiveCount;

        var result = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.Equal(600, result.Metrics.History.Count * 15);
        using (var predictor = Bundle.Load(result.BundlePath).CreatePredictor())
        {
            for (var i = 0; i < 1000; i++) predictor.Predict(result.TestRows.Gather([i % result.TestRows.RowCount]));
        }

        Assert.Equal(live, statistics.ThreadTotalLiveCount);
        Assert.Equal(warmUp.Metrics.History.Count, result.Metrics.History.Count);
    }
}
