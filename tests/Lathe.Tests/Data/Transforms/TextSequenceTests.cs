using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Splitting;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class TextSequenceTests
{
    private static (Table Train, Table HeldOut) Movies()
    {
        var movies = DataSource.Open(TestData.Vega("movies.json")).Read();
        var titles = new Table([movies["Title"]], movies.Source);
        var parts = HoldoutSplit.Split(titles.RowCount, new SplitConfig(), 42);
        return (titles.Gather(parts.Train), titles.Gather([.. parts.Validation, .. parts.Test]));
    }

    [Fact]
    public void Titles_become_bpe_id_sequences_as_long_as_95_percent_of_training_titles()
    {
        var (train, heldOut) = Movies();
        var fitted = (FittedTextSequence)new TextSequence(["Title"], TextTokenization.Bpe, 1000, new TextNormalization()).Fit(train);
        var shape = Assert.Single(fitted.Columns);
        var trainingLengths = ((StringColumn)train["Title"]).Values.Select(t => shape.Tokenizer.Encode(t).Length).ToArray();
        var fits = trainingLengths.Count(n => n <= shape.Length) / (double)trainingLengths.Length;
        Assert.True(fits >= 0.95, $"{fits:P1} of training titles fit in {shape.Length} tokens");
        Assert.True(trainingLengths.Count(n => n <= shape.Length - 1) / (double)trainingLengths.Length < 0.95, "one token shorter would also cover 95%");

        var sequences = (TokenColumn)fitted.Transform(heldOut)["Title"];
        Assert.Equal(heldOut.RowCount, sequences.Count);
        Assert.Equal(heldOut.RowCount * shape.Length, sequences.Ids.Length);
        var titles = ((StringColumn)heldOut["Title"]).Values;
        for (var row = 0; row < titles.Length; row++)
        {
            var ids = shape.Tokenizer.Encode(titles[row]);
            var sequence = sequences.Row(row).ToArray();
            Assert.Equal(ids.Take(shape.Length), sequence.Take(Math.Min(ids.Length, shape.Length)));
            Assert.All(sequence.Skip(ids.Length), id => Assert.Equal(TextTokenizer.PaddingId, id));
            if (ids.Length <= shape.Length && ids.All(id => id != TextTokenizer.UnknownId))
                Assert.Equal(new TextNormalization().Apply(titles[row]!), shape.Tokenizer.Decode(sequence));
        }
    }

    [Fact]
    public void Long_texts_keep_their_first_tokens_and_missing_ones_are_all_padding()
    {
        var (train, _) = Movies();
        var fitted = (FittedTextSequence)new TextSequence(["Title"], TextTokenization.Words, 2000, new TextNormalization(), maxLength: 3).Fit(train);
        Assert.Equal(3, fitted.Columns[0].Length);
        var sequences = (TokenColumn)fitted.Transform(new Table([new StringColumn("Title", ["The Last of the Mohicans", null, "Love"])], "request"))["Title"];
        var words = fitted.Columns[0].Tokenizer;
        Assert.Equal("the last of", words.Decode(sequences.Row(0).ToArray()));
        Assert.True(sequences.IsMissing(1));
        Assert.Equal([0, 0, 0], sequences.Row(1).ToArray());
        Assert.Equal([words.Encode("love")[0], 0, 0], sequences.Row(2).ToArray());
        Assert.False(sequences.IsMissing(2));
        var picked = (TokenColumn)sequences.Gather([2, 0]);
        Assert.Equal(sequences.Row(2).ToArray(), picked.Row(0).ToArray());
    }
}
