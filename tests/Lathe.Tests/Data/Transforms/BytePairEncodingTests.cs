using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class BytePairEncodingTests
{
    /// <summary>The example of Sennrich et al. (2016): low ×5, lower ×2, newest ×6, widest ×3.</summary>
    private static readonly Dictionary<string, long> Words = new() { ["low_"] = 5, ["lower_"] = 2, ["newest_"] = 6, ["widest_"] = 3 };

    [Fact]
    public void The_most_frequent_pair_merges_first_as_in_the_bpe_paper()
    {
        var learned = BytePairEncoding.Learn(Words, 20);
        Assert.Equal([("e", "s"), ("es", "t"), ("est", "_"), ("l", "o"), ("lo", "w")], learned.Merges.Take(5));
        // Characters by frequency: e (2 + 12 + 3 = 17) first, ties in ordinal order.
        Assert.Equal("e", learned.Alphabet[0]);
        Assert.Equal(20, learned.Alphabet.Count + learned.Merges.Count);
    }

    [Fact]
    public void Learning_stops_when_no_pair_occurs_twice_and_ignores_the_order_words_arrive_in()
    {
        var learned = BytePairEncoding.Learn(Words, 1000);
        Assert.True(learned.Alphabet.Count + learned.Merges.Count < 1000);
        var reversed = BytePairEncoding.Learn(Words.Reverse().ToDictionary(), 1000);
        Assert.Equal(learned.Merges, reversed.Merges);
        Assert.Equal(learned.Alphabet, reversed.Alphabet);
    }

    [Fact]
    public void Characters_beyond_the_vocabulary_stay_unknown_and_never_merge()
    {
        var learned = BytePairEncoding.Learn(new Dictionary<string, long> { ["aaq"] = 10, ["bb"] = 3 }, 3);
        Assert.Equal(["a", "q", "b"], learned.Alphabet);
        Assert.Empty(learned.Merges);
        var small = BytePairEncoding.Learn(new Dictionary<string, long> { ["aaq"] = 10, ["bb"] = 3 }, 2);
        Assert.Equal(["a", "q"], small.Alphabet);
    }
}
