using Lathe.Data.Pipeline;
using Lathe.Training;
using static TorchSharp.torch;

namespace Lathe.Tests.Models;

/// <summary>Real training batches for the architecture tests, prepared once per test run.</summary>
public static class ModelData
{
    private static readonly Lazy<(float[] Values, long Features, long[] Classes)> penguins = new(() =>
    {
        var prepared = Preparation.Run(TestData.Penguins(), TestData.TempDirectory());
        using var data = LabelledData.From(prepared.Train, prepared.Pipeline.Pack(prepared.TrainInput), prepared.Target);
        return (data.Features.Values!, data.Features.ItemShape[0], data.Classes!);
    });

    /// <summary>The penguins training part as the MLP sees it: standardised features [rows, features] and species codes.
    /// The caller owns both tensors.</summary>
    public static (Tensor X, Tensor Y) Penguins()
    {
        var (values, features, classes) = penguins.Value;
        return (tensor(values, [classes.Length, features]), tensor(classes));
    }

    /// <summary>Cross-entropy before and after <paramref name="steps"/> full-batch Adam steps, seeded.</summary>
    public static (double Before, double After) LossBeforeAndAfter(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int steps, double learningRate = 0.01)
    {
        using var optimizer = optim.Adam(model.parameters(), learningRate);
        double? before = null;
        model.train();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            before ??= loss.item<float>();
            loss.backward();
            optimizer.step();
        }
        model.eval();
        using var _ = no_grad();
        using var after = nn.functional.cross_entropy(model.forward(x), y);
        return (before!.Value, after.item<float>());
    }

    /// <summary>The bytes of every weight and buffer, in order, to compare two models bit for bit.</summary>
    public static byte[] Weights(nn.Module model) => Lathe.Bundles.SafeTensors.Write(model.state_dict());
}
