using Lathe.Config;
using Lathe.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Tests.Training;

public class OptimizersTests
{
    private static readonly double[] Start = [1.0, -2.0];

    /// <summary>Two steps on the loss ½‖w‖², whose gradient is w itself; the weights after each.</summary>
    private static double[][] TwoSteps(TrainingConfig config)
    {
        using var w = new Parameter(tensor(Start.Select(v => (float)v).ToArray(), ScalarType.Float32));
        using var optimizer = Optimizers.Create(config, [w]);
        var after = new double[2][];
        for (var step = 0; step < 2; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            (w.pow(2).sum() / 2).backward();
            optimizer.step();
            after[step] = w.data<float>().ToArray().Select(v => (double)v).ToArray();
        }
        return after;
    }

    private static void Expect(double[][] expected, double[][] actual)
    {
        for (var s = 0; s < 2; s++)
            for (var i = 0; i < 2; i++)
                Assert.True(Math.Abs(expected[s][i] - actual[s][i]) < 1e-5, $"step {s + 1}, weight {i}: expected {expected[s][i]}, got {actual[s][i]}");
    }

    private static double[][] Each(Func<double, double, double> first, Func<double, double, double> second)
    {
        var one = Start.Select(w0 => first(w0, w0)).ToArray();
        return [one, Start.Select((w0, i) => second(w0, one[i])).ToArray()];
    }

    [Fact]
    public void Sgd_with_momentum_accumulates_the_gradient()
    {
        // b₁ = g₁ = w₀; w₁ = w₀ − 0.1·w₀. b₂ = 0.9·b₁ + w₁ = 1.8·w₀; w₂ = 0.9·w₀ − 0.18·w₀.
        Expect([[0.9, -1.8], [0.72, -1.44]], TwoSteps(new TrainingConfig { Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0.9 }));
    }

    [Fact]
    public void Sgd_with_nesterov_steps_along_the_gradient_plus_momentum_times_the_buffer()
    {
        // Step 1: b = w₀, update = g + 0.9·b = 1.9·w₀, w₁ = 0.81·w₀. Step 2: g = 0.81·w₀, b = 0.9·w₀ + 0.81·w₀ = 1.71·w₀,
        // update = 0.81·w₀ + 0.9·1.71·w₀ = 2.349·w₀, w₂ = 0.81·w₀ − 0.2349·w₀ = 0.5751·w₀.
        Expect([[0.81, -1.62], [0.5751, -1.1502]],
            TwoSteps(new TrainingConfig { Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0.9, Nesterov = true }));
    }

    [Fact]
    public void Sgd_weight_decay_adds_decay_times_the_weight_to_the_gradient()
    {
        // g = w + 0.5·w = 1.5·w, no momentum: w ← w − 0.1·1.5·w = 0.85·w.
        Expect([[0.85, -1.7], [0.7225, -1.445]], TwoSteps(new TrainingConfig { Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0, WeightDecay = 0.5 }));
    }

    [Fact]
    public void Adam_steps_by_the_bias_corrected_moments()
    {
        const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var expected = Each(
            (w0, g) => w0 - lr * g / (Math.Abs(g) + eps),
            (w0, w1) =>
            {
                var m = ((1 - b1) * b1 * w0 + (1 - b1) * w1) / (1 - b1 * b1);
                var v = ((1 - b2) * b2 * w0 * w0 + (1 - b2) * w1 * w1) / (1 - b2 * b2);
                return w1 - lr * m / (Math.Sqrt(v) + eps);
            });
        Expect(expected, TwoSteps(new TrainingConfig { Optimizer = OptimizerKind.Adam, LearningRate = lr }));
    }

    [Fact]
    public void Adamw_decays_the_weights_apart_from_the_adam_step()
    {
        // w₁ = w₀·(1 − lr·λ) − lr·sign(g): 1·0.99 − 0.1 = 0.89 and −2·0.99 + 0.1 = −1.88.
        var steps = TwoSteps(new TrainingConfig { Optimizer = OptimizerKind.AdamW, LearningRate = 0.1, WeightDecay = 0.1 });
        Assert.Equal(0.89, steps[0][0], 5);
        Assert.Equal(-1.88, steps[0][1], 5);
    }

    [Theory]
    [InlineData(OptimizerKind.Adam, 0.0)]
    [InlineData(OptimizerKind.Adam, 0.01)]
    [InlineData(OptimizerKind.AdamW, 0.05)]
    public void Lathes_one_pass_adam_follows_torchsharps_over_fifty_steps_on_penguins(OptimizerKind kind, double decay)
    {
        // Every parameter (an MLP's weights: rows of 8, 16 and 3, whole vectors and the zero-padded tail) updated by
        // Lathe's loop and by TorchSharp's own Adam/AdamW from the same start, on the same batches.
        var (x, y) = Lathe.Tests.Models.ModelData.Penguins();
        using var _x = x;
        using var _y = y;
        var config = new TrainingConfig { Optimizer = kind, LearningRate = 0.01, WeightDecay = decay };
        var weights = new List<float[]>();
        foreach (var own in new[] { true, false })
        {
            manual_seed(11);
            using var model = nn.Sequential(nn.Linear(x.size(1), 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3));
            using var optimizer = own ? Optimizers.Create(config, model.parameters())
                : kind == OptimizerKind.AdamW ? optim.AdamW(model.parameters(), 0.01, weight_decay: decay) : optim.Adam(model.parameters(), 0.01, weight_decay: decay);
            Assert.Equal(own, optimizer is FusedAdam);
            for (var step = 0; step < 50; step++)
            {
                using var scope = NewDisposeScope();
                var start = step * 5 % (x.size(0) - 64);
                var rows = arange(start, start + 64);
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.forward(x.index_select(0, rows)), y.index_select(0, rows)).backward();
                optimizer.step();
            }
            weights.Add(model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray());
        }
        var largest = weights[0].Zip(weights[1], (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 1e-5, $"largest weight difference after 50 steps: {largest:E2}");
    }

    [Fact]
    public void Rmsprop_divides_by_the_root_of_the_running_mean_square()
    {
        const double lr = 0.01, alpha = 0.99, eps = 1e-8;
        var expected = Each(
            (w0, g) => w0 - lr * g / (Math.Sqrt((1 - alpha) * g * g) + eps),
            (w0, w1) => w1 - lr * w1 / (Math.Sqrt(alpha * (1 - alpha) * w0 * w0 + (1 - alpha) * w1 * w1) + eps));
        Expect(expected, TwoSteps(new TrainingConfig { Optimizer = OptimizerKind.Rmsprop, LearningRate = lr }));
    }

    [Fact]
    public void Adagrad_divides_by_the_root_of_the_summed_squares()
    {
        const double lr = 0.1, eps = 1e-10;
        var expected = Each(
            (w0, g) => w0 - lr * g / (Math.Sqrt(g * g) + eps),
            (w0, w1) => w1 - lr * w1 / (Math.Sqrt(w0 * w0 + w1 * w1) + eps));
        Expect(expected, TwoSteps(new TrainingConfig { Optimizer = OptimizerKind.Adagrad, LearningRate = lr }));
    }
}
