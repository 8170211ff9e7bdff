using Lathe.Bundles;
using Lathe.Config;
using Lathe.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Lathe.Tests.Training;

/// <summary>R9: the same seed gives the same model, bit for bit, for each built-in model kind; another seed another
/// model; another thread count the same loss curve to 1e-5 (relative), not the same bits.</summary>
public class DeterminismTests(ITestOutputHelper output)
{
    /// <summary>A small run of each model kind on real data, on <paramref name="threads"/> engine threads: the MLP and the
    /// embedding network (penguins' Island and Sex embedded) on penguins, the CNN on Fashion-MNIST.</summary>
    private static PipelineConfig Config(string kind, int seed, int threads) => kind switch
    {
        "mlp" => CheckpointTests.Config() with
        {
            Seed = seed,
            Training = CheckpointTests.Config().Training with { Epochs = 4, Threads = threads },
        },
        "tabular" => Config("mlp", seed, threads) with
        {
            Model = new ModelConfig { Kind = ModelKind.Tabular, Layers = [32, 16], Dropout = 0.2 },
        },
        "cnn" => new PipelineConfig
        {
            Target = "label",
            Seed = seed,
            Data = new DataConfig { Path = Fashion.Value.Images, Labels = Fashion.Value.Labels },
            Model = new ModelConfig { Kind = ModelKind.Cnn, Channels = [4, 8], Dense = 16, Dropout = 0.2 },
            Training = new TrainingConfig { Epochs = 2, BatchSize = 64, Patience = 0, Threads = threads },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such model kind in this test"),
    };

    /// <summary>1,000 Fashion-MNIST test images: 11 batches of 64 an epoch on the 70% training part.</summary>
    private static readonly Lazy<(string Images, string Labels)> Fashion = new(() => TestData.FashionSubset(1000));

    [Theory]
    [InlineData("mlp")]
    [InlineData("tabular")]
    [InlineData("cnn")]
    public void The_same_seed_trains_the_same_weights_and_another_seed_other_weights(string kind)
    {
        byte[] Train(int seed) => Bundle.Load(TrainingRun.Run(Config(kind, seed, threads: 1), TestData.TempDirectory()).BundlePath).Weights;
        var first = Train(7);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(first)), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Train(7))));
        Assert.NotEqual(first, Train(8));
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("tabular")]
    [InlineData("cnn")]
    public void One_thread_or_two_give_the_same_loss_curve_to_1e_5_relative(string kind)
    {
        var (one, two) = (TestData.TempDirectory(), TestData.TempDirectory());
        TrainingRun.Run(Config(kind, 7, threads: 1), one);
        TrainingRun.Run(Config(kind, 7, threads: 2), two);
        var (a, b) = (StepLogTests.Records(one), StepLogTests.Records(two));
        Assert.Equal(a.Count, b.Count);
        var worst = a.Zip(b).Max(p => Math.Abs(p.First.Loss - p.Second.Loss) / Math.Abs(p.First.Loss));
        Assert.True(worst <= 1e-5, $"largest relative difference of a step's loss: {worst:g3}");

        using var scope = NewDisposeScope();
        var (wa, wb) = (Weights(one), Weights(two));
        var maxAbs = wa.Keys.Max(k => (wa[k].to_type(ScalarType.Float64) - wb[k].to_type(ScalarType.Float64)).abs().max().item<double>());
        output.WriteLine($"{kind}: {a.Count} steps; threads 1 vs 2: max |Δweight| {maxAbs:g3}, max relative Δloss {worst:g3}");
    }

    private static Dictionary<string, Tensor> Weights(string run) =>
        SafeTensors.Read(Bundle.Load(Path.Combine(run, TrainingRun.BundleFile)).Weights, run);
}
