using System.Globalization;
using System.Text.RegularExpressions;
using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Turns free-text columns into word features: text is lower-cased (invariantly) and split into words
/// (runs of Unicode letters, with their combining marks, or of digits); the vocabulary is the most frequent words that appear in at
/// least two training rows; each row becomes TF-IDF weights (1 + log tf, times the training idf), scaled to
/// unit length. Words never seen in training are ignored.</summary>
public sealed partial class TextVectorize(IReadOnlyCollection<string> columns, int vocabulary) : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var fitted = new List<TextVocabulary>();
        foreach (var name in columns)
        {
            if (!train.Contains(name)) continue;
            var texts = ((StringColumn)train[name]).Values;
            var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var text in texts)
                foreach (var word in Words(text).Distinct())
                    documentFrequency[word] = documentFrequency.GetValueOrDefault(word) + 1;
            var words = documentFrequency.Where(p => p.Value >= 2)
                .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Take(vocabulary).ToArray();
            var rows = Math.Max(1, texts.Length);
            fitted.Add(new TextVocabulary(name, words.Select(p => p.Key).ToArray(), words.Select(p => Math.Log((1.0 + rows) / (1 + p.Value)) + 1).ToArray()));
        }
        return new FittedTextVectorize(fitted);
    }

    /// <summary>The words of a text: lower-cased runs of letters or digits. (Lathe runs with invariant
    /// globalization, which has no Unicode compatibility normalisation, so ligatures stay as written.)</summary>
    public static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) yield break;
        foreach (Match match in Word().Matches(text.ToLower(CultureInfo.InvariantCulture)))
            yield return match.Value;
    }

    [GeneratedRegex(@"[\p{L}\p{M}]+|\p{N}+")]
    private static partial Regex Word();
}

/// <summary>One text column's vocabulary and each word's inverse document frequency.</summary>
public sealed record TextVocabulary(string Name, IReadOnlyList<string> Words, IReadOnlyList<double> Idf);

public sealed record FittedTextVectorize(IReadOnlyList<TextVocabulary> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        table.Require(Columns.Select(c => c.Name), "text vectorize");
        var vocabularies = Columns.ToDictionary(c => c.Name);
        return table.Replace(column => vocabularies.TryGetValue(column.Name, out var vocabulary) ? Weights((StringColumn)column, vocabulary) : null);
    }

    private static IEnumerable<Column> Weights(StringColumn column, TextVocabulary vocabulary)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < vocabulary.Words.Count; k++) index[vocabulary.Words[k]] = k;
        var weights = vocabulary.Words.Select(_ => new double[column.Count]).ToArray();
        var texts = column.Values;
        var counts = new Dictionary<int, int>();
        for (var row = 0; row < texts.Length; row++)
        {
            counts.Clear();
            foreach (var word in TextVectorize.Words(texts[row]))
                if (index.TryGetValue(word, out var k)) counts[k] = counts.GetValueOrDefault(k) + 1;
            double norm = 0;
            foreach (var (k, count) in counts)
            {
                var weight = (1 + Math.Log(count)) * vocabulary.Idf[k];
                weights[k][row] = weight;
                norm += weight * weight;
            }
            if (norm > 0)
                foreach (var k in counts.Keys) weights[k][row] /= Math.Sqrt(norm);
        }
        return weights.Select((values, k) => new NumericColumn($"{column.Name}:{vocabulary.Words[k]}", values));
    }
}
