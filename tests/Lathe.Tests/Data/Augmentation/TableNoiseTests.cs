using Lathe.Config;
using Lathe.Data.Augmentation;
using Lathe.Training;
using static TorchSharp.torch;

namespace Lathe.Tests.Data.Augmentation;

public class TableNoiseTests
{
    [Fact]
    public void Noise_has_the_configured_spread_and_training_with_it_still_learns_penguins()
    {
        using (NewDisposeScope())
        {
            using var generator = new Generator(1);
            var batch = zeros(4096, 8);
            var noisy = new TableNoise(0.1).Apply(batch, generator);
            Assert.InRange(noisy.std().item<float>(), 0.097, 0.103);
            Assert.InRange(noisy.mean().item<float>(), -0.005, 0.005);
        }
        var metrics = TrainingRun.Run(TestData.Penguins() with { Augment = new AugmentConfig { TableNoise = 0.05 } }, TestData.TempDirectory()).Metrics;
        Assert.True(metrics.Test["accuracy"] >= 0.95, $"accuracy {metrics.Test["accuracy"]}");
    }
}
