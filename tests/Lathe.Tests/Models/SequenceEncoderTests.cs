using Lathe.Config;
using Lathe.Models;
using static TorchSharp.torch;

namespace Lathe.Tests.Models;

/// <summary>The LSTM/GRU and transformer text encoders, on vega-datasets movie titles (genre from title).</summary>
public class SequenceEncoderTests
{
    private static nn.Module<Tensor, Tensor> Build(string kind, int vocabulary, int length, int outputs) => kind switch
    {
        "lstm" => new RecurrentEncoder(RecurrentCell.Lstm, vocabulary, 32, 32, 1, false, 0.1, outputs),
        "bilstm2" => new RecurrentEncoder(RecurrentCell.Lstm, vocabulary, 32, 32, 2, true, 0.1, outputs),
        "gru" => new RecurrentEncoder(RecurrentCell.Gru, vocabulary, 32, 32, 1, false, 0.1, outputs),
        "bigru" => new RecurrentEncoder(RecurrentCell.Gru, vocabulary, 32, 32, 1, true, 0.1, outputs),
        "transformer_mean" => new SequenceTransformer(vocabulary, length, 32, 4, 2, 64, 0.1, SequencePooling.Mean, outputs),
        "transformer_cls" => new SequenceTransformer(vocabulary, length, 32, 4, 2, 64, 0.1, SequencePooling.Cls, outputs),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [InlineData("lstm")]
    [InlineData("bilstm2")]
    [InlineData("gru")]
    [InlineData("bigru")]
    [InlineData("transformer_mean")]
    [InlineData("transformer_cls")]
    public void A_batch_of_titles_gives_one_row_of_logits_each_and_a_few_steps_learn_genres(string kind)
    {
        manual_seed(1);
        var (ids, genres, vocabulary, classes) = ModelData.Movies();
        using var _ids = ids;
        using var _genres = genres;
        using var model = Build(kind, vocabulary, (int)ids.shape[1], classes);
        model.eval();
        using (no_grad())
        using (var output = model.forward(ids[..7]))
            Assert.Equal([7L, (long)classes], output.shape);
        var (before, after) = ModelData.LossBeforeAndAfter(model, ids, genres, steps: 25);
        Assert.True(after < before * 0.8, $"loss {before} → {after}");
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("transformer_mean")]
    [InlineData("transformer_cls")]
    public void More_padding_at_the_end_changes_no_prediction(string kind)
    {
        manual_seed(2);
        var (ids, _, vocabulary, classes) = ModelData.Movies();
        using var _ids = ids;
        var length = (int)ids.shape[1];
        using var model = Build(kind, vocabulary, length + 5, classes);
        model.eval();
        using var _ = no_grad();
        using var batch = ids[..32];
        using var padded = nn.functional.pad(batch, [0, 5], value: 0);
        using var plain = model.forward(batch);
        using var more = model.forward(padded);
        Assert.True(plain.allclose(more, rtol: 1e-4, atol: 1e-5), $"largest difference {(plain - more).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("transformer_mean")]
    public void A_title_with_no_known_word_still_gets_finite_logits(string kind)
    {
        manual_seed(3);
        using var model = Build(kind, 50, 6, 4);
        model.eval();
        using var _ = no_grad();
        using var ids = tensor(new long[] { 0, 0, 0, 0, 0, 0, 5, 7, 0, 0, 0, 0 }, [2, 6]);
        using var output = model.forward(ids);
        Assert.True(output.isfinite().all().item<bool>());
    }

    [Fact]
    public void Same_seed_builds_and_trains_the_same_weights()
    {
        byte[] Train(string kind, int seed)
        {
            manual_seed(seed);
            var (ids, genres, vocabulary, classes) = ModelData.Movies();
            using var _ids = ids;
            using var _genres = genres;
            using var model = Build(kind, vocabulary, (int)ids.shape[1], classes);
            ModelData.LossBeforeAndAfter(model, ids[..64], genres[..64], steps: 3);
            return ModelData.Weights(model);
        }
        foreach (var kind in new[] { "bilstm2", "transformer_cls" })
        {
            Assert.Equal(Train(kind, 5), Train(kind, 5));
            Assert.NotEqual(Train(kind, 5), Train(kind, 6));
        }
    }

    [Fact]
    public void Padding_embeds_as_zeros_and_the_heads_must_divide_the_dimension()
    {
        using var model = new RecurrentEncoder(RecurrentCell.Gru, 10, 8, 8, 1, false, 0, 2);
        var embedding = model.named_parameters().Single(p => p.name == "embedding.weight").parameter;
        Assert.Equal(0f, embedding[0].abs().sum().item<float>());
        Assert.Throws<ArgumentException>(() => new SequenceTransformer(10, 4, 30, 4, 1, 32, 0, SequencePooling.Mean, 2));
    }
}
