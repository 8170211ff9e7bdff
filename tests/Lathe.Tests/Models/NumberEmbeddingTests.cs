using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Models;
using Lathe.Training;
using static TorchSharp.torch;

namespace Lathe.Tests.Models;

public class NumberEmbeddingTests
{
    [Fact]
    public void Each_numbers_bins_go_through_their_own_linear_layer_and_relu_after_the_columns_passed_through()
    {
        manual_seed(5);
        // Columns 0–1 are one number's bins, 3 another's; 2 and 4 (a category, a flag) pass through.
        using var embedding = new NumberEmbedding(5, [[0, 1], [3]], width: 2);
        Assert.Equal((2, 2 + 2 * 2L), (embedding.PassedColumns, embedding.Outputs));
        var rows = new float[,] { { 0.5f, 0.25f, 7, 0.75f, -3 }, { 1, 0, 8, 0, 4 } };
        using var input = tensor(rows);
        using var output = embedding.forward(input);
        var w = embedding.weight.data<float>().ToArray(); // [2 numbers, 2 values, 2 slots]
        var b = embedding.bias.data<float>().ToArray();
        Assert.Equal(0, w[4 + 1]); // number 1 has one bin: its second slot is empty
        Assert.Equal(0, w[4 + 3]);
        for (var r = 0; r < 2; r++)
        {
            var expected = new List<float> { rows[r, 2], rows[r, 4] };
            for (var v = 0; v < 2; v++) expected.Add(Math.Max(0, w[v * 2] * rows[r, 0] + w[v * 2 + 1] * rows[r, 1] + b[v]));
            for (var v = 0; v < 2; v++) expected.Add(Math.Max(0, w[4 + v * 2] * rows[r, 3] + b[2 + v]));
            using var row = output[r];
            Assert.Equal(expected.ToArray(), row.data<float>().ToArray(), (a, e) => Math.Abs(a - e) < 1e-6);
        }
    }

    [Fact]
    public void The_slots_past_a_numbers_bins_get_no_gradient_and_stay_zero_through_training()
    {
        manual_seed(1);
        using var embedding = new NumberEmbedding(6, [[0, 1, 2, 3], [4]], width: 3);
        using var optimizer = optim.AdamW(embedding.parameters(), 0.05, weight_decay: 0.1);
        for (var step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            embedding.forward(rand(8, 6)).pow(2).sum().backward();
            using var grad = embedding.weight.grad!.narrow(2, 1, 3);
            Assert.Equal(0, grad[1].abs().max().item<float>());
            optimizer.step();
        }
        using var past = embedding.weight[1].narrow(1, 1, 3);
        Assert.Equal(0, past.abs().max().item<float>());
        using var trained = embedding.weight[0];
        Assert.NotEqual(0, trained.abs().max().item<float>());
    }

    [Fact]
    public void Groups_that_share_a_column_leave_the_row_or_are_empty_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new NumberEmbedding(4, [[0, 1], [1, 2]], 8));
        Assert.Throws<ArgumentException>(() => new NumberEmbedding(4, [[3, 4]], 8));
        Assert.Throws<ArgumentException>(() => new NumberEmbedding(4, [[0], []], 8));
        using var embedding = new NumberEmbedding(4, [[0, 1]], 8);
        using var wrong = zeros(2, 5);
        Assert.Contains("takes [rows, 4], got [2, 5]", Assert.Throws<ArgumentException>(() => embedding.forward(wrong)).Message);
    }

    [Theory]
    [InlineData(ModelKind.Mlp, "cars.json", "Origin")]
    [InlineData(ModelKind.Tabular, "penguins.json", "Species")]
    public void Each_real_number_is_one_group_of_its_own_bins_and_a_bundle_predicts_bit_for_bit(ModelKind kind, string file, string target)
    {
        var config = TestData.Penguins() with
        {
            Target = target,
            Data = new DataConfig { Path = TestData.Vega(file), Exclude = file == "cars.json" ? ["Name"] : [] },
            Prepare = new PrepareConfig { PiecewiseLinearBins = 16 },
            Model = new ModelConfig { Kind = kind, Layers = [32, 16], Ensemble = 4, NumberEmbedding = 8 },
            Training = new TrainingConfig { Epochs = 25, BatchSize = 32, Threads = 2, LabelSmoothing = 0.1 },
        };
        var directory = TestData.TempDirectory();
        var result = TrainingRun.Run(config, directory);
        Assert.True(result.Metrics.Test["accuracy"] >= (kind == ModelKind.Mlp ? 0.7 : 0.9), $"test accuracy {result.Metrics.Test["accuracy"]}");

        var bundle = Bundle.Load(result.BundlePath);
        Assert.Equal(8, bundle.Model.NumberEmbedding);
        Assert.Equal(6, bundle.Manifest.Format);
        Assert.Equal(5, BundleManifest.FormatFor(bundle.Model, bundle.Target with { Temperature = null }));
        var groups = bundle.Model.NumberGroups!;
        // One group per encoded number that kept a bin (feature selection drops a date part that repeats another), each its
        // bins in order, at the positions the packed row holds them.
        var numeric = kind == ModelKind.Mlp
            ? bundle.Pipeline.FeatureNames
            : bundle.Pipeline.FeatureNames.Where(n => !bundle.Pipeline.Layout!.Categorical.Any(c => n.StartsWith(c.Name + "=", StringComparison.Ordinal))).ToArray();
        var encoded = bundle.Pipeline.Steps.OfType<Lathe.Data.Transforms.FittedPiecewiseLinearEncode>().SelectMany(s => s.Columns)
            .Where(c => numeric.Any(n => n.StartsWith(c.Name + ".ple", StringComparison.Ordinal))).ToArray();
        Assert.True(encoded.Length >= (kind == ModelKind.Mlp ? 6 : 4), $"{encoded.Length} numbers");
        Assert.Equal(encoded.Length, groups.Length);
        for (var n = 0; n < groups.Length; n++)
        {
            var bins = groups[n].Select(p => numeric[p]).ToArray();
            Assert.All(bins, name => Assert.StartsWith(encoded[n].Name + ".ple", name));
            Assert.Equal(bins.OrderBy(name => int.Parse(name[(encoded[n].Name.Length + 4)..])), bins);
        }
        if (kind == ModelKind.Tabular) Assert.All(groups.SelectMany(g => g), p => Assert.True(p < bundle.Pipeline.Layout!.Numeric));

        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(result.TestRows);
        Assert.Equal(result.TestPredictions.Probabilities.Select(BitConverter.SingleToInt32Bits), predictions.Probabilities.Select(BitConverter.SingleToInt32Bits));
    }
}
