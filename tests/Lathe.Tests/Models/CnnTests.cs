using Lathe.Config;
using Lathe.Models;
using static TorchSharp.torch;

namespace Lathe.Tests.Models;

public class CnnTests
{
    [Theory]
    [InlineData(8, 8, true)]
    [InlineData(1, 8, false)]
    [InlineData(16, 32, false)]
    public void A_convolutions_input_gradient_is_the_same_every_time_with_two_threads_and_inference_keeps_the_plain_values(int inChannels, int outChannels, bool bias)
    {
        // Measured without the padding: 8 → 8 channels differed on 19 of 19 calls, 7–13 of them NaN (Conv's remarks).
        set_num_threads(2);
        manual_seed(4);
        using var conv = new Conv(inChannels, outChannels, 3, padding: 1, bias: bias);
        using var x = randn(128, inChannels, 28, 28);
        using var upstream = randn(128, outChannels, 28, 28);
        float[]? first = null;
        for (var call = 0; call < 12; call++)
        {
            using var scope = NewDisposeScope();
            var input = x.detach().requires_grad_(true);
            conv.forward(input).mul(upstream).sum().backward();
            var gradient = input.grad!.data<float>().ToArray();
            Assert.DoesNotContain(gradient, float.IsNaN);
            if (first is null) first = gradient;
            else Assert.True(first.SequenceEqual(gradient), $"call {call}: the input gradient changed");
        }
        using var recorded = conv.forward(x.detach().requires_grad_(true));
        using (no_grad())
        using (var output = conv.forward(x))
        using (var plain = nn.functional.conv2d(x, conv.weight, conv.bias, [1, 1], [1, 1], [1, 1]))
        {
            Assert.Equal(plain.data<float>().ToArray(), output.data<float>().ToArray());
            // While training, the padded convolution gives the same values up to the order of its sums.
            Assert.True(recorded.detach().allclose(plain, rtol: 1e-5, atol: 1e-5));
        }
    }

    [Theory]
    [InlineData(3, 1, 1, PoolingKind.Max, true)]
    [InlineData(5, 1, 2, PoolingKind.Avg, false)]
    [InlineData(3, 2, 1, PoolingKind.None, true)]
    public void Conv_block_options_give_one_row_of_logits_per_image_and_learn_fashion(int kernel, int stride, int padding, PoolingKind pooling, bool batchNorm)
    {
        manual_seed(1);
        var (x, y) = ModelData.Fashion(128);
        using var _x = x;
        using var _y = y;
        using var model = new Cnn([1, 28, 28], [8, 16], 32, 0.1, 10, kernel, stride, padding, pooling, batchNorm);
        model.eval();
        using (no_grad())
        using (var output = model.forward(x[..5]))
            Assert.Equal([5L, 10L], output.shape);
        var (before, after) = ModelData.LossBeforeAndAfter(model, x, y, steps: 20);
        Assert.True(after < before * 0.7, $"loss {before} → {after}");
    }

    [Theory]
    [InlineData(28)]
    [InlineData(27)]
    [InlineData(7)]
    public void Max_pooling_gives_max_pool2d_values_with_odd_sides_and_nan(int side)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var features in PoolingInputs(side))
            {
                // All 16 pictures (at two threads, the strided maximums) and four of them (small: the one-pass loop).
                set_num_threads(2);
                AssertSameValues(nn.functional.max_pool2d(features, 2), new MaxPool().forward(features));
                using var four = features.narrow(0, 0, 4).contiguous();
                AssertSameValues(nn.functional.max_pool2d(four, 2), new MaxPool().forward(four));
            }
        }
    }

    [Theory]
    [InlineData(28)]
    [InlineData(27)]
    [InlineData(7)]
    public void While_training_max_pooling_gives_max_pool2d_values_and_input_gradients_bit_for_bit(int side)
    {
        using var scope = NewDisposeScope();
        foreach (var features in PoolingInputs(side))
        {
            var upstream = randn(features.size(0), features.size(1), side / 2, side / 2);
            var (expectedInput, actualInput) = (features.clone().requires_grad_(true), features.clone().requires_grad_(true));
            var expected = nn.functional.max_pool2d(expectedInput, 2);
            var actual = new MaxPool().forward(actualInput);
            expected.mul(upstream).nan_to_num().sum().backward();
            actual.mul(upstream).nan_to_num().sum().backward();
            AssertSameValues(expected.detach(), actual.detach());
            Assert.True(Same(expectedInput.grad!, actualInput.grad!), "the input gradients differ");
            Assert.True(actualInput.grad!.count_nonzero().item<long>() > 0);
        }
    }

    /// <summary>16 Fashion-MNIST pictures as they are (black backgrounds: windows of four equal zeros, where the first
    /// must win) and through a convolution (negative values), cut to a side whose half is even (28), odd (27 → 13) or
    /// under four windows a row (7 → 3): the row-of-four path, its overlapping last four, and the one window at a time
    /// path. Picture 3's last channel has a NaN at (5, 4). In the caller's dispose scope.</summary>
    private static Tensor[] PoolingInputs(int side)
    {
        manual_seed(5);
        var (x, _) = ModelData.Fashion(16);
        using var conv = nn.Conv2d(1, 8, 3, padding: 1);
        using var _ = no_grad();
        return [.. new[] { x, conv.forward(x) }.Select(images =>
        {
            var features = images.narrow(2, 0, side).narrow(3, 0, side).contiguous();
            features[3, images.size(1) - 1, 5, 4] = float.NaN;
            return features;
        })];
    }

    private static void AssertSameValues(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(Same(expected.isnan(), actual.isnan()));
        Assert.True(Same(expected.nan_to_num(), actual.nan_to_num()));
        Assert.True(actual[3, actual.size(1) - 1, 2, 2].isnan().item<bool>());
    }

    [Fact]
    public void Conv_is_conv2d_with_its_weights_names_and_starting_values()
    {
        var (x, _) = ModelData.Fashion(8);
        using var _x = x;
        manual_seed(3);
        using var reference = nn.Conv2d(1, 4, 3, stride: 2, padding: 1, bias: true);
        manual_seed(3);
        using var conv = new Conv(1, 4, 3, stride: 2, padding: 1, bias: true);
        Assert.Equal(["weight", "bias"], conv.named_parameters().Select(p => p.name));
        Assert.True(Same(reference.weight!, conv.weight));
        Assert.True(Same(reference.bias!, conv.bias!));
        using (no_grad())
        using (var expected = reference.forward(x))
        using (var actual = conv.forward(x))
            Assert.True(Same(expected, actual));
        using var noBias = new Conv(1, 4, 3, bias: false);
        Assert.Equal(["weight"], noBias.named_parameters().Select(p => p.name));
    }

    // Exactly equal: same shape, every element the same.
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.allclose(b, rtol: 0, atol: 0);

    [Fact]
    public void Side_follows_the_convolution_and_pooling_arithmetic()
    {
        Assert.Equal(7, Cnn.Side(28, 2, 3, 1, 1, PoolingKind.Max));
        Assert.Equal(24, Cnn.Side(28, 1, 5, 1, 0, PoolingKind.None));
        // Stride 2 then pooling, twice: 28 → 14 → 7 → 4 → 2.
        Assert.Equal(2, Cnn.Side(28, 2, 3, 2, 1, PoolingKind.Avg));
    }

    [Fact]
    public void The_default_cnn_keeps_the_weight_names_of_earlier_bundles()
    {
        using var model = new Cnn([1, 28, 28], [32, 64], 128, 0.1, 10);
        Assert.Equal(["features.conv0.weight", "features.norm0.weight", "features.norm0.bias", "features.conv1.weight", "features.norm1.weight", "features.norm1.bias",
            "classifier.dense.weight", "classifier.dense.bias", "classifier.head.weight", "classifier.head.bias"], model.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void Blocks_that_shrink_the_image_away_are_refused_with_the_reason()
    {
        var config = new ModelConfig { Kind = ModelKind.Cnn, Channels = [8, 8, 8], Kernel = 5, Padding = 0 };
        var error = Assert.Throws<LatheException>(() => ModelSpec.Resolve(config, [1, 20, 20], 10));
        Assert.Contains("kernel 5", error.Message);
        Assert.Equal(ModelKind.Cnn, ModelSpec.Resolve(config with { Padding = 2 }, [1, 20, 20], 10).Kind);
    }
}
