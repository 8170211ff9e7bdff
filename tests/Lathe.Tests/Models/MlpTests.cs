using Lathe.Bundles;
using Lathe.Config;
using Lathe.Models;
using Lathe.Training;
using static TorchSharp.torch;

namespace Lathe.Tests.Models;

public class MlpTests
{
    [Theory]
    [InlineData(ActivationKind.Relu, NormKind.None, false)]
    [InlineData(ActivationKind.Gelu, NormKind.Batch, false)]
    [InlineData(ActivationKind.Silu, NormKind.Layer, true)]
    [InlineData(ActivationKind.Tanh, NormKind.Batch, true)]
    [InlineData(ActivationKind.LeakyRelu, NormKind.None, true)]
    public void Every_option_gives_one_row_of_logits_per_input_row_and_learns_penguins(ActivationKind activation, NormKind norm, bool residual)
    {
        manual_seed(1);
        var (x, y) = ModelData.Penguins();
        using var _x = x;
        using var _y = y;
        using var model = new Mlp(x.shape[1], [32, 32, 16], 0.1, 3, activation, norm, residual);
        model.eval();
        using (no_grad())
        using (var output = model.forward(x[..8]))
            Assert.Equal([8L, 3L], output.shape);
        var (before, after) = ModelData.LossBeforeAndAfter(model, x, y, steps: 30);
        Assert.True(after < before / 2, $"loss {before} → {after}");
    }

    [Fact]
    public void Residual_layers_project_only_where_the_width_changes()
    {
        using var model = new Mlp(7, [32, 32, 16], 0, 3, residual: true);
        var names = model.named_parameters().Select(p => p.name).ToArray();
        Assert.Contains("layers.block0.projection.weight", names);
        Assert.DoesNotContain("layers.block1.projection.weight", names);
        Assert.Contains("layers.block2.projection.weight", names);
        Assert.DoesNotContain("layers.block0.projection.bias", names);
    }

    [Fact]
    public void The_default_mlp_keeps_the_weight_names_of_earlier_bundles()
    {
        using var model = new Mlp(7, [64, 32], 0.1, 3);
        Assert.Equal(["layers.linear0.weight", "layers.linear0.bias", "layers.linear1.weight", "layers.linear1.bias", "layers.head.weight", "layers.head.bias"],
            model.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void Same_seed_builds_and_trains_the_same_weights()
    {
        byte[] Train(int seed)
        {
            manual_seed(seed);
            var (x, y) = ModelData.Penguins();
            using var _x = x;
            using var _y = y;
            using var model = new Mlp(x.shape[1], [32, 16], 0.2, 3, ActivationKind.Gelu, NormKind.Layer, residual: true);
            ModelData.LossBeforeAndAfter(model, x, y, steps: 5);
            return ModelData.Weights(model);
        }
        Assert.Equal(Train(3), Train(3));
        Assert.NotEqual(Train(3), Train(4));
    }

    [Fact]
    public void A_bundle_of_a_residual_normalised_mlp_predicts_bit_for_bit_after_loading()
    {
        var config = TestData.Penguins() with
        {
            Model = new ModelConfig { Layers = [32, 32], Activation = ActivationKind.Gelu, Norm = NormKind.Batch, Residual = true },
            Training = new TrainingConfig { Epochs = 15, BatchSize = 32, Threads = 2 },
        };
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.True(result.Metrics.Test["accuracy"] >= 0.9, $"test accuracy {result.Metrics.Test["accuracy"]}");

        var bundle = Bundle.Load(result.BundlePath);
        Assert.Equal((ActivationKind.Gelu, NormKind.Batch, true), (bundle.Model.Activation, bundle.Model.Norm, bundle.Model.Residual));
        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(result.TestRows);
        Assert.Equal(result.TestPredictions.Probabilities.Select(BitConverter.SingleToInt32Bits), predictions.Probabilities.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void An_ensemble_mlp_trains_each_member_on_penguins_and_predicts_their_mean()
    {
        manual_seed(2);
        var (x, y) = ModelData.Penguins();
        using var _x = x;
        using var _y = y;
        using var model = new Mlp(x.shape[1], [32, 16], 0, 3, ensemble: 8);
        Assert.Equal(["layers.linear0.weight", "layers.linear0.bias", "layers.linear0.input_scale", "layers.linear0.output_scale",
            "layers.linear1.weight", "layers.linear1.bias", "layers.linear1.input_scale", "layers.linear1.output_scale", "layers.head.weight", "layers.head.bias"],
            model.named_parameters().Select(p => p.name));
        using var loss = new TrainingLoss(new TrainingConfig(), TaskKind.Classification, classes: 3);
        using var optimizer = optim.Adam(model.parameters(), 0.01);
        var losses = new List<double>();
        for (var step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            model.train();
            var output = model.forward(x);
            Assert.Equal([x.shape[0], 8L, 3L], output.shape);
            optimizer.zero_grad();
            var value = loss.Compute(output, y);
            losses.Add(value.item<float>());
            value.backward();
            optimizer.step();
        }
        Assert.True(losses[^1] < losses[0] / 2, $"loss {losses[0]} → {losses[^1]}");

        using var _ = no_grad();
        model.train();
        using var members = model.forward(x).softmax(2);
        model.eval();
        using var predicted = model.forward(x).softmax(1);
        // The members learnt apart (their own signs, scales and heads), and the prediction is their mean probability.
        using var spread = (members[.., 0] - members[.., 1]).abs().max();
        Assert.True(spread.item<float>() > 1e-3, $"members 0 and 1 differ by at most {spread.item<float>()}");
        using var mean = members.mean([1]);
        Assert.True(predicted.allclose(mean, rtol: 1e-5, atol: 1e-6));
        using var accuracy = predicted.argmax(1).eq(y).to_type(ScalarType.Float32).mean();
        Assert.True(accuracy.item<float>() > 0.95, $"training accuracy {accuracy.item<float>()}");
    }

    [Fact]
    public void Same_seed_builds_and_trains_the_same_ensemble()
    {
        byte[] Train(int seed)
        {
            manual_seed(seed);
            var (x, y) = ModelData.Penguins();
            using var _x = x;
            using var _y = y;
            using var model = new Mlp(x.shape[1], [32, 16], 0.2, 3, ActivationKind.Gelu, NormKind.Layer, ensemble: 4);
            using var loss = new TrainingLoss(new TrainingConfig(), TaskKind.Classification, classes: 3);
            using var optimizer = optim.Adam(model.parameters(), 0.01);
            model.train();
            for (var step = 0; step < 5; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                loss.Compute(model.forward(x), y).backward();
                optimizer.step();
            }
            return ModelData.Weights(model);
        }
        Assert.Equal(Train(3), Train(3));
        Assert.NotEqual(Train(3), Train(4));
    }

    [Theory]
    [InlineData("penguins.json", "Species", TaskKind.Classification)]
    [InlineData("cars.json", "Miles_per_Gallon", TaskKind.Regression)]
    public void A_bundle_of_an_ensemble_predicts_bit_for_bit_after_loading(string file, string target, TaskKind task)
    {
        var config = TestData.Penguins() with
        {
            Target = target,
            Task = task,
            Metric = MetricKinds.DefaultFor(task),
            Data = new DataConfig { Path = TestData.Vega(file), Exclude = file == "cars.json" ? ["Name"] : [] },
            Model = new ModelConfig { Layers = [32, 16], Ensemble = 8 },
            Training = new TrainingConfig { Epochs = 25, BatchSize = 32, Threads = 2 },
        };
        var result = TrainingRun.Run(config, TestData.TempDirectory());
        var score = task == TaskKind.Classification ? result.Metrics.Test["accuracy"] : result.Metrics.Test["r2"];
        Assert.True(score >= 0.75, $"test score {score}");

        var bundle = Bundle.Load(result.BundlePath);
        Assert.Equal((8, task == TaskKind.Classification ? EnsembleMean.Probabilities : EnsembleMean.Values), (bundle.Model.Ensemble, bundle.Model.EnsembleMean));
        // A classifier is calibrated (format 6); the ensemble alone needs format 5.
        Assert.Equal(task == TaskKind.Classification ? 6 : 5, bundle.Manifest.Format);
        Assert.Equal(5, BundleManifest.FormatFor(bundle.Model, bundle.Target with { Temperature = null }));
        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(result.TestRows);
        Assert.Equal(result.TestPredictions.Probabilities.Select(BitConverter.SingleToInt32Bits), predictions.Probabilities.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(result.TestPredictions.Values.Select(BitConverter.DoubleToInt64Bits), predictions.Values.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Mlp_options_are_read_from_yaml_and_written_back()
    {
        var yaml = "target: Species\ndata:\n  path: p.json\nmodel:\n  activation: leaky_relu\n  norm: layer\n  residual: true\n";
        var config = ConfigReader.Parse(yaml, baseDirectory: "/tmp");
        Assert.Equal((ActivationKind.LeakyRelu, NormKind.Layer, true), (config.Model.Activation, config.Model.Norm, config.Model.Residual));
        var written = ConfigWriter.Write(config);
        Assert.Contains("activation: leaky_relu", written);
        Assert.Contains("One of: relu, gelu, silu, tanh, leaky_relu.", written);
        var again = ConfigReader.Parse(written, baseDirectory: "/tmp").Model;
        Assert.Equal((ActivationKind.LeakyRelu, NormKind.Layer, true), (again.Activation, again.Norm, again.Residual));
    }
}
