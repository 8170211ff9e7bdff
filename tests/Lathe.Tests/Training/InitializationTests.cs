using Lathe.Config;
using Lathe.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Tests.Training;

public class InitializationTests
{
    private static nn.Module<Tensor, Tensor> Network() => nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 50));

    private static (double Mean, double Std, double Max) Stats(Tensor weight) =>
        (weight.mean().item<float>(), weight.std().item<float>(), weight.abs().max().item<float>());

    private static Linear First(nn.Module<Tensor, Tensor> network) => network.modules().OfType<Linear>().First();

    [Theory]
    // fan_in 400, fan_out 300: uniform bounds a have std a/√3.
    [InlineData(InitKind.XavierUniform, 0.0534522)] // √(6 / 700) / √3 = √(2 / 700)
    [InlineData(InitKind.XavierNormal, 0.0534522)]  // √(2 / 700)
    [InlineData(InitKind.KaimingUniform, 0.0707107)] // √(6 / 400) / √3 = √(2 / 400)
    [InlineData(InitKind.KaimingNormal, 0.0707107)]  // √(2 / 400)
    public void Scaled_initialisers_have_the_fan_formulas_standard_deviation_and_zero_bias(InitKind kind, double std)
    {
        using var network = Network();
        Initialization.Apply(network, kind, seed: 7);
        var layer = First(network);
        var (mean, actual, max) = Stats(layer.weight!);
        Assert.InRange(actual, std * 0.98, std * 1.02);
        Assert.InRange(mean, -0.003, 0.003);
        if (kind is InitKind.XavierUniform or InitKind.KaimingUniform) Assert.True(max <= std * Math.Sqrt(3) + 1e-6, $"{max} beyond the bound");
        Assert.Equal(0, layer.bias!.abs().max().item<float>());
        Assert.Equal(0, network.modules().OfType<Linear>().Last().bias!.abs().max().item<float>());
    }

    [Fact]
    public void An_ensembles_shared_weights_and_each_members_head_follow_the_rule_and_the_members_own_scalings_stay()
    {
        using var network = new Lathe.Models.Mlp(400, [300], 0, 50, ensemble: 4);
        var signs = network.modules().OfType<Lathe.Models.EnsembleLinear>().Single().input_scale.data<float>().ToArray();
        Initialization.Apply(network, InitKind.KaimingUniform, seed: 7);
        var shared = network.modules().OfType<Lathe.Models.EnsembleLinear>().Single();
        Assert.InRange(Stats(shared.weight).Std, 0.0707107 * 0.98, 0.0707107 * 1.02);
        Assert.Equal(0, shared.bias.abs().max().item<float>());
        Assert.Equal(signs, shared.input_scale.data<float>().ToArray());
        var head = network.modules().OfType<Lathe.Models.EnsembleHead>().Single();
        // Each member's head [50, 300] gets Kaiming's bound for a fan-in of 300: √(6 / 300); every member its own draws.
        for (var m = 0; m < 4; m++)
        {
            using var slice = head.weight[m];
            Assert.InRange(Stats(slice).Max, 0.1, Math.Sqrt(6.0 / 300) + 1e-6);
        }
        using var first = head.weight[0];
        using var second = head.weight[1];
        Assert.False(first.allclose(second));
        Assert.Equal(0, head.bias.abs().max().item<float>());
    }

    [Fact]
    public void A_number_embedding_fills_each_numbers_bins_as_a_linear_layer_and_leaves_the_slots_past_them_zero()
    {
        // Two numbers of 300 and 30 bins into 200 values each, then a hidden layer.
        using var network = new Lathe.Models.Mlp(331, [20], 0, 3, numberGroups: [[.. Enumerable.Range(0, 300)], [.. Enumerable.Range(300, 30)]], numberWidth: 200);
        Initialization.Apply(network, InitKind.KaimingUniform, seed: 7);
        var numbers = network.modules().OfType<Lathe.Models.NumberEmbedding>().Single();
        using (var first = numbers.weight[0]) Assert.InRange(Stats(first).Std, Math.Sqrt(2.0 / 300) * 0.97, Math.Sqrt(2.0 / 300) * 1.03);
        using var second = numbers.weight[1];
        using var bins = second.narrow(1, 0, 30);
        // Kaiming's bound for a fan-in of 30, √(6 / 30), reached by 6,000 draws; the other 270 slots are no input of it.
        Assert.InRange(Stats(bins).Max, 0.4, Math.Sqrt(6.0 / 30) + 1e-6);
        using var past = second.narrow(1, 30, 270);
        Assert.Equal(0, past.abs().max().item<float>());
        Assert.Equal(0, numbers.bias.abs().max().item<float>());
    }

    [Fact]
    public void Uniform_xavier_bound_is_an_exact_formula_xavier_uses_both_fans_and_second_layer_is_covered()
    {
        using var network = Network();
        Initialization.Apply(network, InitKind.XavierNormal, seed: 7);
        // Second layer: fan_in 300, fan_out 50 → std √(2 / 350).
        var (_, std, _) = Stats(network.modules().OfType<Linear>().Last().weight!);
        Assert.InRange(std, Math.Sqrt(2.0 / 350) * 0.96, Math.Sqrt(2.0 / 350) * 1.04);
    }

    [Fact]
    public void Conv_layers_count_the_kernel_in_the_fan_in()
    {
        using var network = nn.Sequential(nn.Conv2d(16, 32, 3));
        Initialization.Apply(network, InitKind.KaimingNormal, seed: 3);
        var conv = network.modules().OfType<Conv2d>().Single();
        // fan_in = 16 · 3 · 3 = 144.
        Assert.InRange(Stats(conv.weight!).Std, Math.Sqrt(2.0 / 144) * 0.95, Math.Sqrt(2.0 / 144) * 1.05);
        Assert.Equal(0, conv.bias!.abs().max().item<float>());
    }

    [Fact]
    public void Orthogonal_weights_have_orthonormal_rows_or_columns()
    {
        using var wide = nn.Sequential(nn.Linear(50, 30));
        using var tall = nn.Sequential(nn.Linear(30, 50));
        Initialization.Apply(wide, InitKind.Orthogonal, seed: 1);
        Initialization.Apply(tall, InitKind.Orthogonal, seed: 1);
        var w = First(wide).weight!; // 30 × 50: W·Wᵀ = I₃₀
        Assert.True(w.matmul(w.t()).allclose(eye(30), atol: 1e-5));
        var v = First(tall).weight!; // 50 × 30: Vᵀ·V = I₃₀
        Assert.True(v.t().matmul(v).allclose(eye(30), atol: 1e-5));
    }

    [Fact]
    public void Zeros_sets_every_weight_and_bias_to_zero()
    {
        using var network = Network();
        Initialization.Apply(network, InitKind.Zeros, seed: 1);
        Assert.All(network.parameters(), p => Assert.Equal(0, p.abs().max().item<float>()));
    }

    [Theory]
    [InlineData(InitKind.XavierUniform)]
    [InlineData(InitKind.KaimingNormal)]
    [InlineData(InitKind.Orthogonal)]
    public void The_same_seed_gives_the_same_weights_and_another_seed_others(InitKind kind)
    {
        using var a = Network();
        using var b = Network();
        using var c = Network();
        Initialization.Apply(a, kind, seed: 42);
        Initialization.Apply(b, kind, seed: 42);
        Initialization.Apply(c, kind, seed: 43);
        Assert.True(First(a).weight!.eq(First(b).weight!).all().item<bool>());
        Assert.False(First(a).weight!.eq(First(c).weight!).all().item<bool>());
    }

    [Fact]
    public void Auto_leaves_torchsharps_own_initialisation_alone()
    {
        using var network = Network();
        using var before = First(network).weight!.clone();
        Initialization.Apply(network, InitKind.Auto, seed: 42);
        Assert.True(before.eq(First(network).weight!).all().item<bool>());
    }
}
