using System.Text;
using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Encodes each categorical column into a fixed number of 0/1 bucket columns chosen by a stable hash
/// of the category (FNV-1a over its UTF-8 bytes): the width never grows with the number of categories, and a
/// category unseen in training still lands in a bucket. Collisions share a bucket.</summary>
public sealed class HashEncode(int buckets) : IPipelineStep
{
    public IFittedStep Fit(Table train) => new FittedHashEncode(buckets, train.Columns.OfType<StringColumn>().Select(c => c.Name).ToArray());

    public static int Bucket(string category, int buckets)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(category)) hash = (hash ^ b) * 16777619u;
        return (int)(hash % (uint)buckets);
    }
}

public sealed record FittedHashEncode(int Buckets, IReadOnlyList<string> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        table.Require(Columns, "hash encode");
        var names = Columns.ToHashSet(StringComparer.Ordinal);
        var columns = new List<Column>();
        foreach (var column in table.Columns)
        {
            if (column is not StringColumn text || !names.Contains(column.Name))
            {
                columns.Add(column);
                continue;
            }
            var indicators = Enumerable.Range(0, Buckets).Select(_ => new double[text.Count]).ToArray();
            for (var i = 0; i < text.Count; i++)
                if (text.Values[i] is { } value) indicators[HashEncode.Bucket(value, Buckets)][i] = 1;
            for (var k = 0; k < Buckets; k++) columns.Add(new NumericColumn($"{column.Name}#{k}", indicators[k]));
        }
        return table.With(columns);
    }
}
