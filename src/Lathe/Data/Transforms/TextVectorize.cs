using System.Text.Json.Serialization;
using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Turns free-text columns into TF-IDF features over tokens — words, or BPE subwords — learned from the
/// training rows (<see cref="TextTokenizer"/>). The features are the tokens found in at least two training rows;
/// each row gets 1 + log tf times the training idf per token, scaled to unit length. Unknown tokens are ignored.</summary>
public sealed class TextVectorize(IReadOnlyCollection<string> columns, TextTokenization tokenization, int vocabulary, TextNormalization normalization) : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var fitted = new List<TextVocabulary>();
        foreach (var name in columns)
        {
            if (!train.Contains(name)) continue;
            var texts = ((StringColumn)train[name]).Values;
            var tokenizer = TextTokenizer.Learn(texts, tokenization, vocabulary, normalization);
            var documentFrequency = new int[tokenizer.Vocabulary.Count];
            foreach (var text in texts)
                foreach (var id in tokenizer.Encode(text).Distinct())
                    documentFrequency[id]++;
            var tokens = Enumerable.Range(TextTokenizer.UnknownId + 1, tokenizer.Vocabulary.Count - TextTokenizer.UnknownId - 1)
                .Where(id => documentFrequency[id] >= 2)
                .OrderByDescending(id => documentFrequency[id]).ThenBy(id => tokenizer.Vocabulary[id], StringComparer.Ordinal)
                .ToArray();
            var rows = Math.Max(1, texts.Length);
            fitted.Add(new TextVocabulary(name, tokenizer, tokens, tokens.Select(id => Math.Log((1.0 + rows) / (1 + documentFrequency[id])) + 1).ToArray()));
        }
        return new FittedTextVectorize(fitted);
    }
}

/// <summary>One text column's tokenizer, the token ids that are features, and each one's inverse document frequency.</summary>
public sealed record TextVocabulary(string Name, TextTokenizer Tokenizer, IReadOnlyList<int> Tokens, IReadOnlyList<double> Idf)
{
    /// <summary>The feature tokens as text.</summary>
    [JsonIgnore]
    public IEnumerable<string> Words => Tokens.Select(id => Tokenizer.Vocabulary[id]);
}

public sealed record FittedTextVectorize(IReadOnlyList<TextVocabulary> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var vocabularies = FittedColumns.In(table, Columns, c => c.Name, "text vectorize");
        return table.Replace(column => vocabularies.TryGetValue(column.Name, out var vocabulary) ? Weights((StringColumn)column, vocabulary) : null);
    }

    private static IEnumerable<Column> Weights(StringColumn column, TextVocabulary vocabulary)
    {
        var feature = FeatureIndex(vocabulary);
        var weights = vocabulary.Tokens.Select(_ => new double[column.Count]).ToArray();
        var texts = column.Values;
        var row = new double[vocabulary.Tokens.Count];
        var counts = new Dictionary<int, int>();
        for (var r = 0; r < texts.Length; r++)
        {
            Weigh(vocabulary, feature, texts[r], counts, row);
            // Only the text's own tokens were written; they are moved out, leaving the row zero again.
            foreach (var k in counts.Keys)
            {
                weights[k][r] = row[k];
                row[k] = 0;
            }
        }
        return weights.Select((values, k) => new NumericColumn($"{column.Name}:{vocabulary.Tokenizer.Vocabulary[vocabulary.Tokens[k]]}", values));
    }

    /// <summary>Each feature token's index in the vocabulary's features, by token id.</summary>
    public static Dictionary<int, int> FeatureIndex(TextVocabulary vocabulary)
    {
        var feature = new Dictionary<int, int>();
        for (var k = 0; k < vocabulary.Tokens.Count; k++) feature[vocabulary.Tokens[k]] = k;
        return feature;
    }

    /// <summary>One text's weights: (1 + log count) × idf per feature token, the whole scaled to unit length, written
    /// into <paramref name="weights"/> at the text's own feature tokens, which <paramref name="counts"/> holds after (its
    /// count by feature index; cleared first). The table and a served row both weigh a text here, so they agree to the bit.</summary>
    public static void Weigh(TextVocabulary vocabulary, IReadOnlyDictionary<int, int> feature, string? text, Dictionary<int, int> counts, Span<double> weights)
    {
        // Counted in the order the tokens first appear; the norm is summed in that order.
        counts.Clear();
        foreach (var id in vocabulary.Tokenizer.Encode(text))
            if (feature.TryGetValue(id, out var k)) counts[k] = counts.GetValueOrDefault(k) + 1;
        double norm = 0;
        foreach (var (k, count) in counts)
        {
            var weight = (1 + Math.Log(count)) * vocabulary.Idf[k];
            weights[k] = weight;
            norm += weight * weight;
        }
        if (norm > 0)
            foreach (var k in counts.Keys) weights[k] /= Math.Sqrt(norm);
    }
}
