using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Replaces each categorical column by one 0/1 feature per category seen in training
/// (<c>Island=Biscoe</c>, …), held compactly as an <see cref="OneHotColumn"/> until the input is packed. A
/// category never seen in training becomes all zeros: the model treats it as "none of the known ones"
/// rather than failing.</summary>
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

public sealed record EncodedColumn(string Name, IReadOnlyList<string> Categories)
{
    // Made once per fitted column and kept beside it (not in the record, whose equality and JSON stay its two fields):
    // a served model encodes one row at a time, and building these per request was most of its cost.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<EncodedColumn, Lookup> Lookups = new();

    /// <summary>Each category's index, and the one-hot features' names (<c>name=category</c>).</summary>
    internal Lookup Made => Lookups.GetValue(this, column =>
    {
        var index = new Dictionary<string, int>(column.Categories.Count, StringComparer.Ordinal);
        for (var k = 0; k < column.Categories.Count; k++) index[column.Categories[k]] = k;
        return new Lookup(index, column.Categories.Select(c => OneHotColumn.FeatureName(column.Name, c)).ToArray());
    });

    internal sealed record Lookup(IReadOnlyDictionary<string, int> Index, IReadOnlyList<string> FeatureNames);
}

public sealed record FittedOneHotEncode(IReadOnlyList<EncodedColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var encodings = FittedColumns.In(table, Columns, c => c.Name, "one-hot encode");
        return table.Replace(column => column is StringColumn text && encodings.TryGetValue(column.Name, out var encoding) ? [Indicators(text, encoding)] : null);
    }

    private static OneHotColumn Indicators(StringColumn text, EncodedColumn encoding)
    {
        var (index, names) = encoding.Made;
        var codes = new int[text.Count];
        // Categories repeat: the same string instance as the row before is the same code, without a lookup.
        string? previous = null;
        var code = -1;
        for (var i = 0; i < codes.Length; i++)
        {
            var value = text.Values[i];
            if (!ReferenceEquals(value, previous))
            {
                code = value is not null && index.TryGetValue(value, out var k) ? k : -1;
                previous = value;
            }
            codes[i] = code;
        }
        return new OneHotColumn(text.Name, codes, encoding.Categories, names);
    }
}
