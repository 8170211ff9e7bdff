using Lathe.Models;
using static TorchSharp.torch;

namespace Lathe.Tests.Models;

public class EnsembleLinearTests
{
    [Fact]
    public void Each_member_scales_the_shared_weight_its_own_way()
    {
        using var layer = new EnsembleLinear(3, 2, members: 2, randomSigns: false);
        double[,] w = { { 0.5, -1, 2 }, { 1, 0.25, -0.5 } };
        double[,] r = { { 1, 2, -1 }, { -0.5, 1, 3 } }, s = { { 2, 1 }, { -1, 0.5 } }, b = { { 0.1, -0.2 }, { 0.3, 0 } };
        using (no_grad())
        {
            layer.weight.copy_(tensor(w).to_type(ScalarType.Float32));
            layer.input_scale.copy_(tensor(r).to_type(ScalarType.Float32));
            layer.output_scale.copy_(tensor(s).to_type(ScalarType.Float32));
            layer.bias.copy_(tensor(b).to_type(ScalarType.Float32));
        }
        double[] x = [1, -2, 0.5];
        using var output = layer.forward(tensor(x.Select(v => (float)v).ToArray(), [1, 3]));
        Assert.Equal([1L, 2L, 2L], output.shape);
        var got = output.data<float>().ToArray();
        for (var m = 0; m < 2; m++)
            for (var o = 0; o < 2; o++)
            {
                // s_m ⊙ (W (r_m ⊙ x)) + b_m, by hand.
                var dot = Enumerable.Range(0, 3).Sum(i => w[o, i] * r[m, i] * x[i]);
                Assert.Equal(s[m, o] * dot + b[m, o], got[m * 2 + o], 1e-5);
            }
    }

    [Fact]
    public void The_first_layers_members_start_from_random_signs_and_the_others_from_ones()
    {
        manual_seed(5);
        using var first = new EnsembleLinear(16, 8, members: 32, randomSigns: true);
        using var later = new EnsembleLinear(8, 8, members: 32, randomSigns: false);
        var signs = first.input_scale.data<float>().ToArray();
        Assert.All(signs, v => Assert.True(v is 1 or -1));
        // 512 fair signs: both kinds, roughly half each.
        Assert.InRange(signs.Count(v => v < 0), 200, 312);
        Assert.All(later.input_scale.data<float>().ToArray(), v => Assert.Equal(1, v));
        Assert.All(first.output_scale.data<float>().ToArray(), v => Assert.Equal(1, v));
    }
}
