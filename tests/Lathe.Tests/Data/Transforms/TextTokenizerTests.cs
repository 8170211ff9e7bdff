using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Splitting;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class TextTokenizerTests
{
    private static readonly TextNormalization Normalization = new();

    /// <summary>Movie titles, split as a run would split them: (training titles, held-out titles).</summary>
    private static (string[] Train, string[] HeldOut) Titles()
    {
        var movies = DataSource.Open(TestData.Vega("movies.json")).Read();
        var titles = ((StringColumn)movies["Title"]).Values;
        var parts = HoldoutSplit.Split(titles.Length, new SplitConfig(), 42);
        return (parts.Train.Select(r => titles[r]).OfType<string>().ToArray(), [.. parts.Validation.Concat(parts.Test).Select(r => titles[r]).OfType<string>()]);
    }

    [Fact]
    public void Bpe_learned_on_training_titles_decodes_each_of_them_back_to_its_normalised_text()
    {
        var (train, _) = Titles();
        var tokenizer = TextTokenizer.LearnBpe(train, 2000, Normalization);
        Assert.Equal(2000, tokenizer.Vocabulary.Count);
        Assert.Equal(TextTokenizer.Padding, tokenizer.Vocabulary[TextTokenizer.PaddingId]);
        Assert.Equal(TextTokenizer.Unknown, tokenizer.Vocabulary[TextTokenizer.UnknownId]);
        foreach (var title in train)
        {
            var ids = tokenizer.Encode(title);
            Assert.DoesNotContain(TextTokenizer.UnknownId, ids);
            Assert.Equal(Normalization.Apply(title), tokenizer.Decode(ids));
        }
        // Subwords: frequent words are one token, with the space before them; most titles take few tokens.
        Assert.Equal(["the", "▁lord", "▁of", "▁the", "▁r", "ings"], tokenizer.Tokenize("The Lord of the Rings"));
        Assert.True(train.Average(t => tokenizer.Encode(t).Length) < train.Average(t => Normalization.Apply(t).Length) / 2.5);
    }

    [Fact]
    public void A_word_never_seen_in_training_splits_into_subwords_that_were()
    {
        var (train, heldOut) = Titles();
        var tokenizer = TextTokenizer.LearnBpe(train, 2000, Normalization);
        var trainingWords = train.SelectMany(t => TextTokenizer.Words(t, Normalization)).ToHashSet();
        var characters = train.SelectMany(t => Normalization.Apply(t).EnumerateRunes()).Select(r => r.ToString()).ToHashSet();
        var unseen = heldOut.SelectMany(t => TextTokenizer.Words(t, Normalization))
            .Where(w => !trainingWords.Contains(w) && w.Length >= 6 && w.EnumerateRunes().All(r => characters.Contains(r.ToString())))
            .Distinct().ToArray();
        Assert.True(unseen.Length >= 20, $"only {unseen.Length} unseen words");
        foreach (var word in unseen)
        {
            var ids = tokenizer.Encode(word);
            Assert.DoesNotContain(TextTokenizer.UnknownId, ids);
            Assert.True(ids.Length >= 2, $"'{word}' is a single token, yet training never had it");
            Assert.Equal(word, tokenizer.Decode(ids));
        }
        Assert.Equal(["star", "▁wars", "▁x", "q", "j", "z"], tokenizer.Tokenize("Star Wars XQJZ"));
        // Characters training never had are unknown, a run of them one unknown token.
        Assert.Equal(["star", "▁", TextTokenizer.Unknown], tokenizer.Tokenize("Star ☃☃"));
        Assert.Equal("star <unk>", tokenizer.Decode(tokenizer.Encode("Star ☃☃")));
    }

    [Fact]
    public void Vocabulary_comes_from_the_training_rows_alone_and_learning_is_deterministic()
    {
        var (train, heldOut) = Titles();
        var tokenizer = TextTokenizer.LearnBpe(train, 1000, Normalization);
        var json = JsonSerializer.Serialize(tokenizer, BundleJson.Options);
        Assert.Equal(json, JsonSerializer.Serialize(TextTokenizer.LearnBpe(train, 1000, Normalization), BundleJson.Options));
        // The same training rows in another order learn the same subwords.
        Assert.Equal(json, JsonSerializer.Serialize(TextTokenizer.LearnBpe(train.Reverse(), 1000, Normalization), BundleJson.Options));
        Assert.NotEqual(json, JsonSerializer.Serialize(TextTokenizer.LearnBpe(train.Concat(heldOut), 1000, Normalization), BundleJson.Options));
    }

    [Fact]
    public void A_tokenizer_saved_as_json_encodes_and_decodes_as_before()
    {
        var (train, heldOut) = Titles();
        foreach (var tokenizer in new[] { TextTokenizer.LearnBpe(train, 800, Normalization), TextTokenizer.LearnWords(train, 800, Normalization) })
        {
            var json = JsonSerializer.Serialize(tokenizer, BundleJson.Options);
            var reloaded = JsonSerializer.Deserialize<TextTokenizer>(json, BundleJson.Options)!;
            Assert.Equal(json, JsonSerializer.Serialize(reloaded, BundleJson.Options));
            foreach (var title in heldOut)
            {
                Assert.Equal(tokenizer.Encode(title), reloaded.Encode(title));
                Assert.Equal(tokenizer.Decode(tokenizer.Encode(title)), reloaded.Decode(reloaded.Encode(title)));
            }
        }
    }

    [Fact]
    public void Words_outside_the_word_vocabulary_are_unknown()
    {
        var (train, _) = Titles();
        var tokenizer = TextTokenizer.LearnWords(train, 500, Normalization);
        Assert.Equal(502, tokenizer.Vocabulary.Count);
        Assert.Equal("the", tokenizer.Vocabulary[2]);
        var ids = tokenizer.Encode("The Zorblax of Love");
        Assert.Equal(TextTokenizer.UnknownId, ids[1]);
        Assert.Equal("the <unk> of love", tokenizer.Decode(ids));
    }
}
