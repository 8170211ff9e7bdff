using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Replaces each categorical column by one 0/1 column per category seen in training
/// (<c>Island=Biscoe</c>, …). A category never seen in training becomes all zeros: the model treats
/// it as "none of the known ones" rather than failing.</summary>
public sealed class OneHotEncode : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var encoded = new List<EncodedColumn>();
        foreach (var column in train.Columns.OfType<StringColumn>())
        {
            var categories = column.Values.Where(v => v is not null).Select(v => v!).Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal).ToArray();
            encoded.Add(new EncodedColumn(column.Name, categories));
        }
        return new FittedOneHotEncode(encoded);
    }
}

public sealed record EncodedColumn(string Name, IReadOnlyList<string> Categories);

public sealed record FittedOneHotEncode(IReadOnlyList<EncodedColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        table.Require(Columns.Select(c => c.Name), "one-hot encode");
        var encodings = Columns.ToDictionary(c => c.Name);
        return table.Replace(column => column is StringColumn text && encodings.TryGetValue(column.Name, out var encoding) ? Indicators(text, encoding) : null);
    }

    private static IEnumerable<Column> Indicators(StringColumn text, EncodedColumn encoding)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < encoding.Categories.Count; k++) index[encoding.Categories[k]] = k;
        var indicators = encoding.Categories.Select(_ => new double[text.Count]).ToArray();
        for (var i = 0; i < text.Count; i++)
            if (text.Values[i] is { } value && index.TryGetValue(value, out var k)) indicators[k][i] = 1;
        return indicators.Select((values, k) => new NumericColumn($"{text.Name}={encoding.Categories[k]}", values));
    }
}
