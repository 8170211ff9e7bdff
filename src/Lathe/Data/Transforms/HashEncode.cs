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
        return table.Replace(column => column is StringColumn text && names.Contains(column.Name) ? Indicators(text) : null);
    }

    private IEnumerable<Column> Indicators(StringColumn text)
    {
        var indicators = Enumerable.Range(0, Buckets).Select(_ => new double[text.Count]).ToArray();
        for (var i = 0; i < text.Count; i++)
            if (text.Values[i] is { } value) indicators[HashEncode.Bucket(value, Buckets)][i] = 1;
        return indicators.Select((values, k) => new NumericColumn($"{text.Name}#{k}", values));
    }
}
