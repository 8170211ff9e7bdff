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

    private static readonly Lazy<(byte[] Pixels, long[] Labels)> fashion = new(() =>
    {
        var table = Lathe.Data.Sources.DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read();
        return (((Lathe.Data.ImageColumn)table["image"]).Pixels, ((Lathe.Data.NumericColumn)table["label"]).Values.Select(v => (long)v).ToArray());
    });

    /// <summary>The first <paramref name="count"/> Fashion-MNIST test images as [count, 1, 28, 28] on a 0–1 scale, and their
    /// labels. The caller owns both tensors.</summary>
    public static (Tensor X, Tensor Y) Fashion(int count)
    {
        var (pixels, labels) = fashion.Value;
        using var bytes = tensor(pixels[..(count * 784)], [count, 1, 28, 28], ScalarType.Byte);
        return (bytes.to_type(ScalarType.Float32).div_(255), tensor(labels[..count]));
    }

    private static readonly Lazy<(long[] Ids, int Length, int Vocabulary, long[] Genres, int Classes)> movies = new(() =>
    {
        var table = Lathe.Data.Sources.DataSource.Open(TestData.Vega("movies.json")).Read();
        var genreColumn = (Lathe.Data.StringColumn)table["Major Genre"];
        var rows = Enumerable.Range(0, table.RowCount).Where(r => genreColumn.Values[r] is not null).Take(512).ToArray();
        var titles = new Lathe.Data.Table([table["Title"]], table.Source).Gather(rows);
        var fitted = new Lathe.Data.Transforms.TextSequence(["Title"], Lathe.Data.Transforms.TextTokenization.Words, 2000,
            new Lathe.Data.Transforms.TextNormalization(), maxLength: 12, percentile: 1).Fit(titles);
        var shape = ((Lathe.Data.Transforms.FittedTextSequence)fitted).Columns[0];
        var ids = ((Lathe.Data.TokenColumn)fitted.Transform(titles)["Title"]).Ids.Select(i => (long)i).ToArray();
        var names = rows.Select(r => genreColumn.Values[r]!).ToArray();
        var classes = names.Distinct().Order(StringComparer.Ordinal).ToList();
        return (ids, shape.Length, shape.Tokenizer.Vocabulary.Count, names.Select(n => (long)classes.IndexOf(n)).ToArray(), classes.Count);
    });

    /// <summary>512 vega-datasets movie titles as word-id sequences [512, length] (padding id 0 at the end), their
    /// genres, the vocabulary size and the number of genres. The caller owns both tensors.</summary>
    public static (Tensor Ids, Tensor Genres, int Vocabulary, int Classes) Movies()
    {
        var (ids, length, vocabulary, genres, classes) = movies.Value;
        return (tensor(ids, [genres.Length, length]), tensor(genres), vocabulary, classes);
    }

    /// <summary>The training loss (cross-entropy, training mode) of the first and of the last of <paramref name="steps"/>
    /// full-batch Adam steps. Training mode, so that batch norm's running statistics, still young after a few steps, play no part.</summary>
    public static (double First, double Last) LossBeforeAndAfter(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int steps, double learningRate = 0.01)
    {
        using var optimizer = optim.Adam(model.parameters(), learningRate);
        var losses = new double[steps];
        model.train();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            losses[step] = loss.item<float>();
            loss.backward();
            optimizer.step();
        }
        return (losses[0], losses[^1]);
    }

    /// <summary>The bytes of every weight and buffer, in order, to compare two models bit for bit.</summary>
    public static byte[] Weights(nn.Module model) => Lathe.Bundles.SafeTensors.Write(model.state_dict());
}
