using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Lathe.Data.Transforms;

/// <summary>Text → token ids, learned from the training rows of one column. Words: lower-cased runs of letters or
/// digits, the vocabulary being the most frequent words found in at least two rows. BPE: subwords learned by
/// byte-pair encoding (<see cref="BytePairEncoding"/>) and applied by Microsoft.ML.Tokenizers' <c>BpeTokenizer</c>,
/// so a word never seen in training is split into subwords that were. Id 0 is padding and id 1 unknown (a word, or
/// a character, that training never had). Plain data: the normalisation, vocabulary and merges round-trip as JSON.</summary>
public sealed partial class TextTokenizer
{
    public const int PaddingId = 0;
    public const int UnknownId = 1;
    public const string Padding = "<pad>";
    public const string Unknown = "<unk>";
    /// <summary>Stands for a space inside BPE tokens (as in SentencePiece), so a subword can carry the space before it
    /// and decoding restores the text exactly; merges are written "left right", so a token cannot hold a real space.</summary>
    public const char SpaceMark = '▁';

    private readonly Dictionary<string, int> _ids;
    private readonly BpeTokenizer? _bpe;

    [JsonConstructor]
    public TextTokenizer(TextTokenization kind, TextNormalization normalization, IReadOnlyList<string> vocabulary, IReadOnlyList<string> merges)
    {
        if (vocabulary.Count < 2 || vocabulary[PaddingId] != Padding || vocabulary[UnknownId] != Unknown)
            throw new ArgumentException($"a token vocabulary starts with {Padding} and {Unknown}", nameof(vocabulary));
        Kind = kind;
        Normalization = normalization;
        Vocabulary = vocabulary;
        Merges = merges;
        _ids = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (var id = 0; id < vocabulary.Count; id++) _ids.Add(vocabulary[id], id);
        if (kind == TextTokenization.Bpe)
            _bpe = BpeTokenizer.Create(new BpeOptions(_ids)
            {
                Merges = merges,
                UnknownToken = Unknown,
                FuseUnknownTokens = true,
                Normalizer = new MarkedNormalizer(normalization),
                PreTokenizer = new RegexPreTokenizer(BpePiece(), null),
            });
    }

    public TextTokenization Kind { get; }
    public TextNormalization Normalization { get; }
    /// <summary>Every token, by id: padding, unknown, then words (most frequent first) or characters and subwords.</summary>
    public IReadOnlyList<string> Vocabulary { get; }
    /// <summary>BPE merges in the order learned, each "left right"; empty for words.</summary>
    public IReadOnlyList<string> Merges { get; }

    /// <summary>A tokenizer of the given kind, its vocabulary learned from <paramref name="texts"/> (the training rows).</summary>
    public static TextTokenizer Learn(IEnumerable<string?> texts, TextTokenization tokenization, int size, TextNormalization normalization) =>
        tokenization == TextTokenization.Bpe ? LearnBpe(texts, size, normalization) : LearnWords(texts, size, normalization);

    /// <summary>Learns a word vocabulary: at most <paramref name="size"/> words (besides padding and unknown) found
    /// in at least two of the texts, most frequent first, ties in ordinal order.</summary>
    public static TextTokenizer LearnWords(IEnumerable<string?> texts, int size, TextNormalization normalization)
    {
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var word in Words(text, normalization).Distinct())
                documentFrequency[word] = documentFrequency.GetValueOrDefault(word) + 1;
        var words = documentFrequency.Where(p => p.Value >= 2)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(size).Select(p => p.Key);
        return new TextTokenizer(TextTokenization.Words, normalization, [Padding, Unknown, .. words], []);
    }

    /// <summary>Learns a BPE vocabulary of at most <paramref name="size"/> tokens (padding and unknown included) from
    /// the texts' pieces: runs of letters, of digits, or of other characters, each with the space before it.</summary>
    public static TextTokenizer LearnBpe(IEnumerable<string?> texts, int size, TextNormalization normalization)
    {
        var pieces = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            if (text is null) continue;
            foreach (Match piece in BpePiece().Matches(Marked(normalization.Apply(text))))
                pieces[piece.Value] = pieces.GetValueOrDefault(piece.Value) + 1;
        }
        var learned = BytePairEncoding.Learn(pieces, Math.Max(0, size - 2));
        var vocabulary = new List<string> { Padding, Unknown };
        var seen = new HashSet<string>(vocabulary, StringComparer.Ordinal);
        foreach (var token in learned.Alphabet.Concat(learned.Merges.Select(m => m.Left + m.Right)))
            if (seen.Add(token)) vocabulary.Add(token);
        return new TextTokenizer(TextTokenization.Bpe, normalization, vocabulary, learned.Merges.Select(m => $"{m.Left} {m.Right}").ToArray());
    }

    /// <summary>The token ids of a text (none for a missing one).</summary>
    public int[] Encode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        if (_bpe is not null) return [.. _bpe.EncodeToIds(text)];
        return Words(text, Normalization).Select(w => _ids.GetValueOrDefault(w, UnknownId)).ToArray();
    }

    /// <summary>The tokens of a text, as strings (BPE tokens show a space as ▁).</summary>
    public IReadOnlyList<string> Tokenize(string? text) => Encode(text).Select(id => Vocabulary[id]).ToArray();

    /// <summary>Token ids back to text; padding is skipped and unknown shows as &lt;unk&gt;. For BPE, decoding what
    /// <see cref="Encode"/> gave returns the normalised text exactly when every character was seen in training.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var tokens = ids.Where(id => id != PaddingId);
        if (_bpe is not null) return _bpe.Decode(tokens).Replace(SpaceMark, ' ');
        return string.Join(' ', tokens.Select(id => Vocabulary[id]));
    }

    /// <summary>The words of a text: runs of letters (with their combining marks) or of digits, after normalisation.</summary>
    public static IEnumerable<string> Words(string? text, TextNormalization normalization)
    {
        if (string.IsNullOrWhiteSpace(text)) yield break;
        foreach (Match match in Word().Matches(normalization.Apply(text)))
            yield return match.Value;
    }

    private static string Marked(string normalized) => normalized.Replace(' ', SpaceMark);

    [GeneratedRegex(@"[\p{L}\p{M}]+|\p{N}+")]
    private static partial Regex Word();

    /// <summary>BPE pieces: the spaces before a run of letters, of digits or of other characters; or spaces alone.</summary>
    [GeneratedRegex(@"▁*(?:[\p{L}\p{M}]+|\p{N}+|[^\p{L}\p{M}\p{N}▁]+)|▁+")]
    private static partial Regex BpePiece();

    /// <summary>Lathe's normalisation, then spaces as ▁, inside Microsoft.ML.Tokenizers' encoding.</summary>
    private sealed class MarkedNormalizer(TextNormalization normalization) : Normalizer
    {
        public override string Normalize(string original) => Marked(normalization.Apply(original));
        public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
    }
}
