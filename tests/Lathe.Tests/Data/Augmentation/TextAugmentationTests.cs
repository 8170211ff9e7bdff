using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Augmentation;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;
using static TorchSharp.torch;

namespace Lathe.Tests.Data.Augmentation;

public class TextAugmentationTests
{
    /// <summary>Movie titles as BPE id sequences, [3201, L], padding at the end.</summary>
    private static readonly Lazy<TokenColumn> Titles = new(() =>
    {
        var movies = DataSource.Open(TestData.Vega("movies.json")).Read();
        var titles = new Table([movies["Title"]], movies.Source);
        var fitted = new TextSequence(["Title"], TextTokenization.Bpe, 1000, new TextNormalization(), percentile: 1).Fit(titles);
        return (TokenColumn)fitted.Transform(titles)["Title"];
    });

    private static long[][] Augment(TextAugmentation augmentation, ulong seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(seed);
        var titles = Titles.Value;
        var batch = tensor(Array.ConvertAll(titles.Ids, id => (long)id), [titles.Count, titles.Length]);
        var result = augmentation.Apply(batch, generator).data<long>().ToArray();
        return Enumerable.Range(0, titles.Count).Select(r => result.AsSpan(r * titles.Length, titles.Length).ToArray()).ToArray();
    }

    private static long[] Original(int row) => Array.ConvertAll(Titles.Value.Row(row).ToArray(), id => (long)id);
    private static long[] Real(long[] sequence) => sequence.TakeWhile(id => id != TextTokenizer.PaddingId).ToArray();

    [Fact]
    public void Probabilities_of_zero_change_nothing()
    {
        var same = Augment(new TextAugmentation(0, 0), 7);
        for (var row = 0; row < same.Length; row++) Assert.Equal(Original(row), same[row]);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void Dropout_deletes_tokens_at_its_rate_keeping_the_rest_in_order(double p)
    {
        long before = 0, after = 0;
        foreach (var seed in new ulong[] { 1, 2, 3 })
        {
            var dropped = Augment(new TextAugmentation(p, 0), seed);
            for (var row = 0; row < dropped.Length; row++)
            {
                var original = Real(Original(row));
                var kept = Real(dropped[row]);
                Assert.All(dropped[row].Skip(kept.Length), id => Assert.Equal(TextTokenizer.PaddingId, id));
                Assert.True(IsSubsequence(kept, original), $"row {row}: kept tokens are not the original ones in order");
                Assert.True(original.Length == 0 || kept.Length >= 1, $"row {row} lost every token");
                // Long titles measure the rate: the keep-one rule almost never applies to them.
                if (original.Length < 6) continue;
                before += original.Length;
                after += kept.Length;
            }
        }
        var rate = 1 - after / (double)before;
        var sd = Math.Sqrt(p * (1 - p) / before);
        Assert.True(Math.Abs(rate - p) < 4 * sd, $"dropped {rate:P2} of {before} tokens, expected {p:P0} ± {4 * sd:P2}");
    }

    [Fact]
    public void Swap_exchanges_one_pair_of_neighbours_in_its_share_of_sequences()
    {
        const double p = 0.25;
        int eligible = 0, changed = 0;
        var positions = new int[3];
        foreach (var seed in new ulong[] { 11, 12, 13 })
        {
            var swapped = Augment(new TextAugmentation(0, p), seed);
            for (var row = 0; row < swapped.Length; row++)
            {
                var original = Original(row);
                var differences = Enumerable.Range(0, original.Length).Where(k => original[k] != swapped[row][k]).ToArray();
                // The rate is measured on titles of two or more different tokens, where every swap shows.
                var real = Real(original);
                var counts = real.Length >= 2 && real.Distinct().Count() == real.Length;
                if (counts) eligible++;
                if (differences.Length == 0) continue;
                Assert.Equal(2, differences.Length);
                var (a, b) = (differences[0], differences[1]);
                Assert.Equal(a + 1, b);
                Assert.Equal((original[a], original[b]), (swapped[row][b], swapped[row][a]));
                Assert.NotEqual(TextTokenizer.PaddingId, original[b]);
                if (!counts) continue;
                changed++;
                if (real.Length == 3) positions[a]++;
            }
        }
        var share = changed / (double)eligible;
        Assert.True(Math.Abs(share - p) < 4 * Math.Sqrt(p * (1 - p) / eligible), $"{share:P2} of {eligible} sequences swapped, expected {p:P0}");
        // In three-token titles the pair starts at the first or second token, never the third.
        Assert.Equal(0, positions[2]);
        Assert.True(positions[0] > 0 && positions[1] > 0, $"pairs start at {positions[0]} and {positions[1]}");
    }

    [Fact]
    public void The_same_batch_seed_gives_the_same_noise_and_another_seed_other_noise()
    {
        var augmentation = new TextAugmentation(0.15, 0.5);
        // Seeded as the trainer seeds each batch: from the run's seed, the epoch and the batch.
        ulong BatchSeed(int epoch, int b) => new SeededRandom(42, stream: epoch * 1_000_003 + b).NextUInt64();
        var first = Augment(augmentation, BatchSeed(1, 0));
        Assert.Equal(first, Augment(augmentation, BatchSeed(1, 0)));
        Assert.NotEqual(first, Augment(augmentation, BatchSeed(1, 1)));
        Assert.NotEqual(first, Augment(augmentation, BatchSeed(2, 0)));
    }

    private static bool IsSubsequence(long[] part, long[] whole)
    {
        var k = 0;
        foreach (var id in whole)
            if (k < part.Length && part[k] == id) k++;
        return k == part.Length;
    }
}
