using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class HashEncodeTests
{
    [Fact]
    public void Buckets_come_from_a_stable_hash()
    {
        // FNV-1a of "a" is 0xe40c292c: bucket 12 of 32, in every process and on every machine.
        Assert.Equal(12, HashEncode.Bucket("a", 32));
        Assert.Equal(HashEncode.Bucket("Biscoe", 8), HashEncode.Bucket("Biscoe", 8));
    }

    [Fact]
    public void Each_row_sets_one_bucket_per_column_even_for_an_unseen_island()
    {
        var (train, _, _) = PenguinsParts.Typed();
        var imputed = new Impute().Fit(train).Transform(train);
        var fitted = new HashEncode(8).Fit(imputed);
        var encoded = fitted.Transform(imputed);
        var buckets = Enumerable.Range(0, 8).Select(k => ((NumericColumn)encoded[$"Island#{k}"]).Values).ToArray();
        for (var row = 0; row < encoded.RowCount; row++)
            Assert.Equal(1, buckets.Sum(b => b[row]));
        var island = ((StringColumn)imputed["Island"]).Values[0]!;
        Assert.Equal(1, buckets[HashEncode.Bucket(island, 8)][0]);

        var unseen = fitted.Transform(new Table([new StringColumn("Island", ["Atlantis"]), new StringColumn("Sex", ["MALE"])], "request"));
        Assert.Equal(1, Enumerable.Range(0, 8).Sum(k => ((NumericColumn)unseen[$"Island#{k}"]).Values[0]));
    }
}
