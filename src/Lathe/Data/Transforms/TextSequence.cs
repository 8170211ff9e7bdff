using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Turns free-text columns into fixed-length token-id sequences (<see cref="TokenColumn"/>) for sequence
/// models: a tokenizer (words or BPE) learned from the training rows, and a length that covers most training texts —
/// the given percentile of their token counts, at most <paramref name="maxLength"/>. Longer texts keep their first
/// tokens; shorter ones are filled with the padding id. Not in <c>prepare:</c>'s steps yet: the sequence models of the
/// models issue add it.</summary>
public sealed class TextSequence(IReadOnlyCollection<string> columns, TextTokenization tokenization, int vocabulary, TextNormalization normalization,
    int maxLength = 256, double percentile = 0.95) : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var fitted = new List<TokenSequenceShape>();
        foreach (var name in columns)
        {
            if (!train.Contains(name)) continue;
            var texts = ((StringColumn)train[name]).Values;
            var tokenizer = TextTokenizer.Learn(texts, tokenization, vocabulary, normalization);
            var lengths = texts.Select(t => tokenizer.Encode(t).Length).Order().ToArray();
            // Nearest rank: the shortest length that at least this share of training texts fit in.
            var covering = lengths.Length == 0 ? 1 : lengths[Math.Max(0, (int)Math.Ceiling(percentile * lengths.Length) - 1)];
            fitted.Add(new TokenSequenceShape(name, tokenizer, Math.Clamp(covering, 1, maxLength)));
        }
        return new FittedTextSequence(fitted);
    }
}

/// <summary>One text column's tokenizer and the fixed number of tokens per row.</summary>
public sealed record TokenSequenceShape(string Name, TextTokenizer Tokenizer, int Length)
{
    /// <summary>Texts → a [count, Length] id buffer: cut to Length tokens, padded at the end.</summary>
    public TokenColumn Encode(StringColumn texts)
    {
        // Padding is id 0, so a new buffer is all padding.
        var ids = new int[texts.Count * Length];
        for (var row = 0; row < texts.Count; row++)
        {
            var tokens = Tokenizer.Encode(texts.Values[row]);
            tokens.AsSpan(0, Math.Min(tokens.Length, Length)).CopyTo(ids.AsSpan(row * Length, Length));
        }
        return new TokenColumn(texts.Name, ids, Length, TextTokenizer.PaddingId);
    }
}

public sealed record FittedTextSequence(IReadOnlyList<TokenSequenceShape> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var shapes = FittedColumns.In(table, Columns, c => c.Name, "text sequence");
        return table.Replace(column => shapes.TryGetValue(column.Name, out var shape) ? [shape.Encode((StringColumn)column)] : null);
    }
}
