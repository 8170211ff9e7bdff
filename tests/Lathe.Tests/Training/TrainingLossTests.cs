using Lathe.Config;
using Lathe.Training;
using static TorchSharp.torch;

namespace Lathe.Tests.Training;

public class TrainingLossTests
{
    // Two rows of three class scores: row 0 is class 0, row 1 is class 2.
    private static readonly double[][] Logits = [[2, 0, -1], [0.5, 1.5, 0]];
    private static readonly long[] Truth = [0, 2];

    private static double[] Probabilities(double[] row)
    {
        var e = row.Select(Math.Exp).ToArray();
        return e.Select(x => x / e.Sum()).ToArray();
    }

    private static double Loss(TrainingConfig config, TaskKind task, float[,] output, Tensor truth, double[]? weights = null, int classes = 3)
    {
        using var scope = NewDisposeScope();
        using var loss = new TrainingLoss(config, task, weights, classes);
        return loss.Compute(tensor(output), truth).item<float>();
    }

    private static double ClassLoss(TrainingConfig config, double[]? weights = null) =>
        Loss(config, TaskKind.Classification, new float[,] { { 2, 0, -1 }, { 0.5f, 1.5f, 0 } }, tensor(Truth), weights);

    [Fact]
    public void Cross_entropy_is_the_mean_negative_log_probability_of_the_true_class()
    {
        var expected = -(Math.Log(Probabilities(Logits[0])[0]) + Math.Log(Probabilities(Logits[1])[2])) / 2;
        Assert.Equal(expected, ClassLoss(new TrainingConfig()), 1e-5);
        Assert.Equal(expected, ClassLoss(new TrainingConfig { Loss = LossKind.CrossEntropy }), 1e-5);
    }

    [Fact]
    public void An_ensembles_loss_is_the_mean_of_its_members_losses()
    {
        // Two rows, two members: member 0 gives Logits, member 1 other scores; the truth is each row's for both.
        var member1 = new float[,] { { -1, 0.5f, 2 }, { 1, 1, -2 } };
        var config = new TrainingConfig { LabelSmoothing = 0.1 };
        double[] w = [0.5, 1, 3];
        var both = new float[2, 2, 3];
        for (var r = 0; r < 2; r++)
            for (var c = 0; c < 3; c++)
                (both[r, 0, c], both[r, 1, c]) = ((float)Logits[r][c], member1[r, c]);
        using var scope = NewDisposeScope();
        using var loss = new TrainingLoss(config, TaskKind.Classification, classes: 3);
        var expected = (ClassLoss(config) + Loss(config, TaskKind.Classification, member1, tensor(Truth))) / 2;
        Assert.Equal(expected, loss.Compute(tensor(both), tensor(Truth)).item<float>(), 1e-5);
        // With class weights each member's rows are weighted alike, so it is still the members' mean.
        using var weighted = new TrainingLoss(config, TaskKind.Classification, w, 3);
        var expectedWeighted = (ClassLoss(config, w) + Loss(config, TaskKind.Classification, member1, tensor(Truth), w)) / 2;
        Assert.Equal(expectedWeighted, weighted.Compute(tensor(both), tensor(Truth)).item<float>(), 1e-5);
        // Regression: [rows, members, 1] against one value per row.
        using var mse = new TrainingLoss(new TrainingConfig(), TaskKind.Regression);
        var values = tensor(new float[] { 1, 3, 0, -2 }, [2, 2, 1]);
        Assert.Equal(((1 - 2.0) * (1 - 2.0) + (3 - 2.0) * (3 - 2.0) + 1 + 1) / 4, mse.Compute(values, tensor(new float[] { 2, -1 })).item<float>(), 1e-5);
    }

    [Fact]
    public void Label_smoothing_mixes_in_the_mean_negative_log_probability_of_all_classes()
    {
        const double e = 0.1;
        double Row(double[] logits, long y)
        {
            var logP = Probabilities(logits).Select(p => Math.Log(p)).ToArray();
            return (1 - e) * -logP[y] + e * -logP.Average();
        }
        var expected = (Row(Logits[0], 0) + Row(Logits[1], 2)) / 2;
        Assert.Equal(expected, ClassLoss(new TrainingConfig { LabelSmoothing = e }), 1e-5);
    }

    [Fact]
    public void Class_weights_weight_each_row_by_its_true_class_and_divide_by_the_weights_sum()
    {
        double[] w = [0.5, 1, 3];
        var expected = (w[0] * -Math.Log(Probabilities(Logits[0])[0]) + w[2] * -Math.Log(Probabilities(Logits[1])[2])) / (w[0] + w[2]);
        Assert.Equal(expected, ClassLoss(new TrainingConfig(), w), 1e-5);
        Assert.Equal(expected, ClassLoss(new TrainingConfig { Loss = LossKind.Focal, FocalGamma = 0 }, w), 1e-5);
    }

    [Fact]
    public void Focal_loss_scales_each_rows_cross_entropy_by_one_minus_p_to_the_gamma()
    {
        var (p0, p1) = (Probabilities(Logits[0])[0], Probabilities(Logits[1])[2]);
        var expected = (Math.Pow(1 - p0, 2) * -Math.Log(p0) + Math.Pow(1 - p1, 2) * -Math.Log(p1)) / 2;
        var focal = ClassLoss(new TrainingConfig { Loss = LossKind.Focal, FocalGamma = 2 });
        Assert.Equal(expected, focal, 1e-5);
        // The confidently right row 0 (p = 0.84) is scaled by 0.16² ≈ 0.024; the whole loss drops below cross-entropy.
        Assert.True(focal < ClassLoss(new TrainingConfig()));
    }

    [Fact]
    public void Binary_cross_entropy_on_the_two_logit_head_is_the_log_loss_of_the_sigmoid_of_their_difference()
    {
        static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
        var output = new float[,] { { 0.2f, 1.0f }, { 1.5f, -0.5f } };
        var expected = (-Math.Log(Sigmoid(1.0 - 0.2)) - Math.Log(1 - Sigmoid(-0.5 - 1.5))) / 2;
        var bce = Loss(new TrainingConfig { Loss = LossKind.BinaryCrossEntropy }, TaskKind.Classification, output, tensor(new long[] { 1, 0 }), classes: 2);
        Assert.Equal(expected, bce, 1e-5);
        Assert.Equal(expected, Loss(new TrainingConfig(), TaskKind.Classification, output, tensor(new long[] { 1, 0 }), classes: 2), 1e-5);
        double[] w = [2, 0.5];
        var weighted = (w[1] * -Math.Log(Sigmoid(0.8)) + w[0] * -Math.Log(1 - Sigmoid(-2))) / (w[0] + w[1]);
        Assert.Equal(weighted, Loss(new TrainingConfig { Loss = LossKind.BinaryCrossEntropy }, TaskKind.Classification, output, tensor(new long[] { 1, 0 }), w, 2), 1e-5);
    }

    [Fact]
    public void Binary_cross_entropy_refuses_more_than_two_classes()
    {
        var error = Assert.Throws<LatheException>(() => new TrainingLoss(new TrainingConfig { Loss = LossKind.BinaryCrossEntropy }, TaskKind.Classification, null, 3));
        Assert.Contains("needs two classes, but the target has 3", error.Message);
    }

    [Theory]
    [InlineData(LossKind.Mse, (0.25 + 0 + 9) / 3)]
    [InlineData(LossKind.Auto, (0.25 + 0 + 9) / 3)]
    [InlineData(LossKind.Mae, (0.5 + 0 + 3) / 3)]
    // Huber, δ = 1: ½e² inside δ, δ(|e| − ½δ) beyond: 0.125, 0, 2.5.
    [InlineData(LossKind.Huber, (0.125 + 0 + 2.5) / 3)]
    public void Regression_losses_match_their_formulas_on_errors_of_minus_half_zero_and_three(LossKind kind, double expected)
    {
        var value = Loss(new TrainingConfig { Loss = kind }, TaskKind.Regression, new float[,] { { 1 }, { 2 }, { 5 } }, tensor(new float[] { 1.5f, 2, 2 }));
        Assert.Equal(expected, value, 1e-5);
    }

    [Fact]
    public void Huber_delta_moves_the_point_where_the_loss_turns_linear()
    {
        // δ = 4: every error is inside, so Huber is half the MSE.
        var value = Loss(new TrainingConfig { Loss = LossKind.Huber, HuberDelta = 4 }, TaskKind.Regression, new float[,] { { 1 }, { 2 }, { 5 } }, tensor(new float[] { 1.5f, 2, 2 }));
        Assert.Equal((0.25 + 9) / 3 / 2, value, 1e-5);
    }

    [Fact]
    public void Multilabel_loss_is_the_binary_cross_entropy_of_each_label_averaged_over_rows_and_labels()
    {
        float[,] logits = { { 2, 0, -1 }, { 0.5f, 1.5f, 0 } };
        float[,] labels = { { 1, 0, 0 }, { 0, 1, 1 } };
        double expected = 0;
        for (var r = 0; r < 2; r++)
            for (var l = 0; l < 3; l++)
            {
                var p = 1 / (1 + Math.Exp(-logits[r, l]));
                expected -= labels[r, l] == 1 ? Math.Log(p) : Math.Log(1 - p);
            }
        Assert.Equal(expected / 6, Loss(new TrainingConfig(), TaskKind.Multilabel, logits, tensor(labels)), 1e-5);
        Assert.Throws<LatheException>(() => new TrainingLoss(new TrainingConfig { Loss = LossKind.CrossEntropy }, TaskKind.Multilabel));
    }

    [Fact]
    public void Several_regression_targets_average_the_loss_over_targets()
    {
        float[,] output = { { 1, -2 }, { 0.5f, 3 } };
        float[,] truth = { { 0, 0 }, { 1, 1 } };
        // Squared errors 1, 4, 0.25, 4: the mean over rows and targets.
        Assert.Equal((1 + 4 + 0.25 + 4) / 4, Loss(new TrainingConfig(), TaskKind.Regression, output, tensor(truth)), 1e-6);
        // Absolute errors 1, 2, 0.5, 2.
        Assert.Equal((1 + 2 + 0.5 + 2) / 4, Loss(new TrainingConfig { Loss = LossKind.Mae }, TaskKind.Regression, output, tensor(truth)), 1e-6);
    }
}
