using Lathe.Models;
using static TorchSharp.torch;

namespace Lathe.Tests.Models;

public class EnsembleHeadTests
{
    // Two rows, two members, hidden width 2; member m's head is weight[m] (outputs × inputs) and bias[m].
    private static readonly double[][] Rows = [[1, -0.5], [0.2, 2]];

    private static EnsembleHead Head(int outputs, EnsembleMean mean)
    {
        var head = new EnsembleHead(2, outputs, members: 2, mean);
        using (no_grad())
        {
            for (var m = 0; m < 2; m++)
                for (var o = 0; o < outputs; o++)
                {
                    head.weight[m, o, 0] = tensor(0.7f * (m + 1) - o);
                    head.weight[m, o, 1] = tensor(0.3f * o - m);
                    head.bias[m, o] = tensor(0.1f * (o - m));
                }
        }
        return head;
    }

    private static double Output(int member, int output, double[] row) =>
        (0.7 * (member + 1) - output) * row[0] + (0.3 * output - member) * row[1] + 0.1 * (output - member);

    private static float[] Forward(EnsembleHead head, bool training)
    {
        if (training) head.train(); else head.eval();
        using var input = tensor(Rows.SelectMany(r => r.Select(v => (float)v)).ToArray(), [2, 2]);
        using var output = head.forward(input);
        return output.data<float>().ToArray();
    }

    [Fact]
    public void Training_gives_every_members_outputs()
    {
        using var head = Head(3, EnsembleMean.Probabilities);
        var got = Forward(head, training: true);
        Assert.Equal(2 * 2 * 3, got.Length);
        for (var r = 0; r < 2; r++)
            for (var m = 0; m < 2; m++)
                for (var o = 0; o < 3; o++)
                    Assert.Equal(Output(m, o, Rows[r]), got[(r * 2 + m) * 3 + o], 1e-5);
    }

    [Fact]
    public void Predicting_classes_gives_the_log_of_the_members_mean_probability()
    {
        using var head = Head(3, EnsembleMean.Probabilities);
        var got = Forward(head, training: false);
        for (var r = 0; r < 2; r++)
        {
            var members = Enumerable.Range(0, 2).Select(m => Softmax(Enumerable.Range(0, 3).Select(o => Output(m, o, Rows[r])).ToArray())).ToArray();
            for (var o = 0; o < 3; o++)
                Assert.Equal(Math.Log((members[0][o] + members[1][o]) / 2), got[r * 3 + o], 1e-5);
        }
    }

    [Fact]
    public void Predicting_labels_gives_the_logit_of_each_labels_mean_probability()
    {
        using var head = Head(2, EnsembleMean.LabelProbabilities);
        var got = Forward(head, training: false);
        for (var r = 0; r < 2; r++)
            for (var o = 0; o < 2; o++)
            {
                var p = (Sigmoid(Output(0, o, Rows[r])) + Sigmoid(Output(1, o, Rows[r]))) / 2;
                Assert.Equal(p, Sigmoid(got[r * 2 + o]), 1e-6);
            }
    }

    [Fact]
    public void Predicting_values_gives_the_members_mean()
    {
        using var head = Head(1, EnsembleMean.Values);
        var got = Forward(head, training: false);
        for (var r = 0; r < 2; r++)
            Assert.Equal((Output(0, 0, Rows[r]) + Output(1, 0, Rows[r])) / 2, got[r], 1e-5);
    }

    [Fact]
    public void Confident_members_give_a_finite_label_logit()
    {
        using var head = new EnsembleHead(1, 1, members: 2, EnsembleMean.LabelProbabilities);
        using (no_grad())
        {
            head.weight.copy_(tensor(new float[] { 200, 300 }, [2, 1, 1]));
            head.bias.zero_();
        }
        head.eval();
        using var input = ones(1, 1);
        using var output = head.forward(input);
        // σ(200) and σ(300) are both 1 in float32; the logit of their mean is still large and finite.
        Assert.True(float.IsFinite(output.item<float>()) && output.item<float>() > 100, $"logit {output.item<float>()}");
    }

    private static double[] Softmax(double[] z)
    {
        var e = z.Select(v => Math.Exp(v - z.Max())).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}
