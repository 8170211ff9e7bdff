using Lathe.Bundles;
using Lathe.Config;
using Lathe.Models;
using Lathe.Training;

namespace Lathe.Tests.Models;

/// <summary>The handle pass gives a plain MLP's outputs for one row bit for bit as its modules do, on real rows, and is
/// not made for a network it has no pass for.</summary>
public class HandlePassTests
{
    [Fact]
    public void One_row_through_libtorchs_operations_by_handle_gives_the_modules_outputs_bit_for_bit()
    {
        var (bundle, result) = AssertTablePassSameAsModules(TestData.Penguins() with
        {
            Model = new ModelConfig { Kind = ModelKind.Mlp, Layers = [32, 16], Dropout = 0.2 },
            Training = new TrainingConfig { Epochs = 8, BatchSize = 32, Threads = 2 },
        });
        var test = result.TestRows;
        var width = Predictor.OutputCount(bundle.Target);
        // The predictor takes it for every lone row: the served answers are the table path's (RecordPathTests).
        using var predictor = bundle.CreatePredictor();
        Assert.Equal(result.TestPredictions.Probabilities.AsSpan(0, width).ToArray(), predictor.Predict(test.Gather([0])).Probabilities);
    }

    [Fact]
    public void A_picture_through_a_cnns_convolutions_norms_and_poolings_by_handle_gives_the_modules_outputs_bit_for_bit() =>
        AssertPicturePassSameAsModules(new ModelConfig { Kind = ModelKind.Cnn, Channels = [8, 16], Dense = 32, Dropout = 0.25 });

    [Fact]
    public void A_picture_through_a_resnets_blocks_and_global_pooling_by_handle_gives_the_modules_outputs_bit_for_bit() =>
        // Channels 8, 8, 16: a block adding its input as it is, then one through a strided 1×1 convolution and norm.
        AssertPicturePassSameAsModules(new ModelConfig { Kind = ModelKind.Resnet, Channels = [8, 8, 16], Dropout = 0.25 });

    /// <summary>Trains <paramref name="model"/> on 800 Fashion-MNIST pictures for an epoch and holds the handle pass of its
    /// network to the modules' outputs on 60 test pictures.</summary>
    private static void AssertPicturePassSameAsModules(ModelConfig model)
    {
        var (images, labels) = TestData.FashionSubset(800);
        var result = TrainingRun.Run(new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = images, Labels = labels },
            Model = model,
            Training = new TrainingConfig { Epochs = 1, BatchSize = 64, Threads = 2 },
        }, TestData.TempDirectory());
        var bundle = Bundle.Load(result.BundlePath);
        using var network = bundle.CreateModel();
        network.eval();
        using var pass = HandlePass.For(network, [1, 28, 28]);
        Assert.NotNull(pass);
        AssertSameAsModules(bundle, network, pass, result.TestRows, 60);
    }

    [Fact]
    public void The_quick_starts_ensemble_with_number_embeddings_by_handle_gives_the_modules_outputs_bit_for_bit()
    {
        // `lathe init`'s network for a table: 32 members, each number embedded from its 32 piecewise-linear bins.
        AssertTablePassSameAsModules(TestData.Penguins() with
        {
            Prepare = new PrepareConfig { PiecewiseLinearBins = 32 },
            Model = new ModelConfig { Kind = ModelKind.Mlp, Layers = [128, 64], Dropout = 0.1, Ensemble = 32, NumberEmbedding = 16 },
            Training = new TrainingConfig { Epochs = 4, BatchSize = 32, Threads = 2 },
        });
    }

    [Fact]
    public void A_regression_ensembles_mean_by_handle_gives_the_modules_outputs_bit_for_bit()
    {
        AssertTablePassSameAsModules(Lathe.Tests.Training.SeveralTargetsTests.CarsRegression() with
        {
            Model = new ModelConfig { Layers = [32, 16], Ensemble = 8 },
            Training = new TrainingConfig { Epochs = 4, BatchSize = 32, Threads = 2 },
        });
    }

    [Theory]
    [InlineData(ActivationKind.Gelu, NormKind.Layer, 0)]
    [InlineData(ActivationKind.Silu, NormKind.Batch, 0)]
    [InlineData(ActivationKind.Tanh, NormKind.None, 0)]
    [InlineData(ActivationKind.LeakyRelu, NormKind.Layer, 8)]
    [InlineData(ActivationKind.Gelu, NormKind.None, 8)]
    public void Other_activations_and_norms_by_handle_give_the_modules_outputs_bit_for_bit(ActivationKind activation, NormKind norm, int ensemble)
    {
        AssertTablePassSameAsModules(TestData.Penguins() with
        {
            Model = new ModelConfig { Kind = ModelKind.Mlp, Layers = [32, 16], Dropout = 0.1, Activation = activation, Norm = norm, Ensemble = ensemble },
            Training = new TrainingConfig { Epochs = 4, BatchSize = 32, Threads = 2 },
        });
    }

    [Theory]
    [InlineData(NormKind.None)]
    [InlineData(NormKind.Batch)]
    [InlineData(NormKind.Layer)]
    public void Residual_blocks_by_handle_give_the_modules_outputs_bit_for_bit(NormKind norm)
    {
        // Penguins' inputs to 32 (the shortcut through a projection), 32 to 32 (the input itself), 32 to 16 (a projection).
        AssertTablePassSameAsModules(TestData.Penguins() with
        {
            Model = new ModelConfig { Kind = ModelKind.Mlp, Layers = [32, 32, 16], Dropout = 0.1, Residual = true, Norm = norm, Activation = ActivationKind.Gelu },
            Training = new TrainingConfig { Epochs = 4, BatchSize = 32, Threads = 2 },
        });
    }

    [Fact]
    public void The_embedding_networks_categories_by_handle_give_the_modules_outputs_bit_for_bit()
    {
        // Penguins' island and sex through their embeddings beside the numbers; then movies' category columns (one of
        // hundreds of directors, many of them unseen in training: code 0, a row of zeros) beside number embeddings, as an ensemble.
        AssertTablePassSameAsModules(TestData.Penguins() with
        {
            Model = new ModelConfig { Kind = ModelKind.Tabular, Layers = [32, 16], Dropout = 0.1 },
            Training = new TrainingConfig { Epochs = 4, BatchSize = 32, Threads = 2 },
        });
        AssertTablePassSameAsModules(new PipelineConfig
        {
            Target = "IMDB Rating",
            Data = new DataConfig { Path = TestData.Vega("movies.json"), Exclude = ["Title", "IMDB Votes", "Rotten Tomatoes Rating"] },
            Prepare = new PrepareConfig { PiecewiseLinearBins = 16 },
            Model = new ModelConfig { Kind = ModelKind.Tabular, Layers = [32, 16], Ensemble = 4, NumberEmbedding = 8 },
            Training = new TrainingConfig { Epochs = 2, BatchSize = 64, Threads = 2 },
        }, rows: 300);
    }

    [Fact]
    public void Several_labels_ensemble_by_handle_gives_the_modules_outputs_bit_for_bit()
    {
        AssertTablePassSameAsModules(Lathe.Tests.Training.SeveralTargetsTests.CarsMultilabel(Lathe.Tests.Training.SeveralTargetsTests.CarsLabels()) with
        {
            Model = new ModelConfig { Layers = [32, 16], Ensemble = 8 },
            Training = new TrainingConfig { Epochs = 4, BatchSize = 32, Threads = 2 },
        });
    }

    [Theory]
    [InlineData(ModelKind.Cnn)]
    [InlineData(ModelKind.Resnet)]
    public void A_picture_beside_a_column_by_handle_gives_the_modules_outputs_bit_for_bit(ModelKind kind)
    {
        // Real Fashion-MNIST pictures beside a category (label / 2): the picture's body by handle on its pixels in the
        // row, the category's embedding, then the MLP, as the fused network's modules give them.
        var (csv, _) = TestData.FashionImageTable(400, column: ("pair", (_, label) => $"p{label / 2}"));
        var (bundle, _) = AssertTablePassSameAsModules(new PipelineConfig
        {
            Target = "kind",
            Data = new DataConfig { Path = csv },
            Model = new ModelConfig { Kind = kind, Channels = [4, 8], Dense = 16, Layers = [16] },
            Training = new TrainingConfig { Epochs = 1, BatchSize = 64, Threads = 2 },
        }, rows: 40);
        Assert.Equal("file", bundle.Model.Layout!.Image!.Name);
    }

    /// <summary>Trains <paramref name="config"/> (a table) and holds the handle pass of its network to the modules' outputs
    /// on every test row.</summary>
    private static (Bundle Bundle, TrainResult Result) AssertTablePassSameAsModules(PipelineConfig config, int rows = int.MaxValue)
    {
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        var bundle = Bundle.Load(result.BundlePath);
        using var model = bundle.CreateModel();
        model.eval();
        using var pass = HandlePass.For(model, bundle.Pipeline.Transform(result.TestRows.Gather([0])).ItemShape);
        Assert.NotNull(pass);
        AssertSameAsModules(bundle, model, pass, result.TestRows, Math.Min(rows, result.TestRows.RowCount));
        return (bundle, result);
    }

    /// <summary>The first <paramref name="count"/> test rows one at a time: the pass's outputs bit for bit as the modules'.</summary>
    private static void AssertSameAsModules(Bundle bundle, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model, HandlePass pass, Lathe.Data.Table test, int count)
    {
        var width = Predictor.OutputCount(bundle.Target);
        for (var r = 0; r < Math.Min(test.RowCount, count); r++)
        {
            var features = bundle.Pipeline.Transform(test.Gather([r]));
            using var input = new InputTensor(features);
            var expected = Forward.Outputs(model, input, width);
            var outputs = pass.Outputs(features);
            Assert.NotNull(outputs);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), outputs.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void A_network_with_other_layers_has_no_handle_pass()
    {
        using var training = new Mlp(8, [16], 0.1, 3);
        Assert.Null(HandlePass.For(training, [8]));
        using var averaged = new Cnn([1, 28, 28], [4], 8, 0.1, 3, pooling: PoolingKind.Avg);
        averaged.eval();
        Assert.Null(HandlePass.For(averaged, [1, 28, 28]));
        // A picture too large for one engine thread keeps every thread, through the modules.
        using var large = new Cnn([3, 64, 64], [4], 8, 0.1, 3);
        large.eval();
        Assert.Null(HandlePass.For(large, [3, 64, 64]));
    }
}
