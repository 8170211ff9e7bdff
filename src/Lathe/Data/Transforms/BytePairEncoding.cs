namespace Lathe.Data.Transforms;

/// <summary>Learns byte-pair-encoding merges (Sennrich et al., 2016) from word counts: start from single characters
/// and repeatedly merge the most frequent adjacent pair into a new subword, until the vocabulary is full or no pair
/// occurs twice. Ties go to the pair whose left, then right, part sorts first (ordinal), so the merges depend on the
/// words and counts alone. Microsoft.ML.Tokenizers encodes with a BPE vocabulary but cannot learn one, hence this.</summary>
public static class BytePairEncoding
{
    /// <summary>The learned alphabet (characters, most frequent first) and merges (in the order learned).</summary>
    public sealed record Learned(IReadOnlyList<string> Alphabet, IReadOnlyList<(string Left, string Right)> Merges);

    /// <param name="words">Each distinct word (a pre-token) with how often it occurs.</param>
    /// <param name="size">Most symbols: characters plus merged subwords. Characters beyond it (the rarest) stay unknown.</param>
    public static Learned Learn(IReadOnlyDictionary<string, long> words, int size)
    {
        var symbols = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Intern(string symbol)
        {
            if (ids.TryGetValue(symbol, out var id)) return id;
            ids[symbol] = symbols.Count;
            symbols.Add(symbol);
            return symbols.Count - 1;
        }

        // Characters are whole code points, as Microsoft.ML.Tokenizers reads them.
        var characterCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in words)
            foreach (var rune in word.EnumerateRunes())
                characterCounts[rune.ToString()] = characterCounts.GetValueOrDefault(rune.ToString()) + count;
        var alphabet = characterCounts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(size).Select(p => p.Key).ToArray();
        foreach (var character in alphabet) Intern(character);

        // A character outside the alphabet (-1) is unknown and never merges.
        var sequences = new List<int>[words.Count];
        var counts = new long[words.Count];
        var index = 0;
        foreach (var (word, count) in words.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sequences[index] = word.EnumerateRunes().Select(r => ids.GetValueOrDefault(r.ToString(), -1)).ToList();
            counts[index++] = count;
        }

        var pairCounts = new Dictionary<(int, int), long>();
        var pairWords = new Dictionary<(int, int), HashSet<int>>();
        var queue = new PriorityQueue<(int, int), (long Count, string Left, string Right)>(Comparer<(long Count, string Left, string Right)>.Create(Compare));
        var changed = new HashSet<(int, int)>();
        void Count(int word, int sign)
        {
            var sequence = sequences[word];
            for (var k = 0; k + 1 < sequence.Count; k++)
            {
                var pair = (sequence[k], sequence[k + 1]);
                if (pair.Item1 < 0 || pair.Item2 < 0) continue;
                pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + sign * counts[word];
                changed.Add(pair);
                if (sign > 0)
                {
                    if (!pairWords.TryGetValue(pair, out var set)) pairWords[pair] = set = [];
                    set.Add(word);
                }
            }
        }
        void Enqueue()
        {
            foreach (var pair in changed)
                if (pairCounts[pair] > 0) queue.Enqueue(pair, (pairCounts[pair], symbols[pair.Item1], symbols[pair.Item2]));
            changed.Clear();
        }

        for (var w = 0; w < sequences.Length; w++) Count(w, +1);
        Enqueue();

        var merges = new List<(string, string)>();
        while (symbols.Count < size && queue.TryDequeue(out var best, out var priority))
        {
            // Entries go stale as counts change; only one that matches the current count is real.
            if (pairCounts.GetValueOrDefault(best) != priority.Count) continue;
            if (priority.Count < 2) break;
            var (left, right) = best;
            var merged = Intern(symbols[left] + symbols[right]);
            merges.Add((symbols[left], symbols[right]));
            foreach (var word in pairWords[best].Order().ToArray())
            {
                Count(word, -1);
                var sequence = sequences[word];
                for (var k = 0; k + 1 < sequence.Count; k++)
                    if (sequence[k] == left && sequence[k + 1] == right)
                    {
                        sequence[k] = merged;
                        sequence.RemoveAt(k + 1);
                    }
                Count(word, +1);
            }
            pairWords.Remove(best);
            Enqueue();
        }
        return new Learned(alphabet, merges);
    }

    /// <summary>Higher counts first; equal counts by the left, then the right symbol, in ordinal order.</summary>
    private static int Compare((long Count, string Left, string Right) a, (long Count, string Left, string Right) b)
    {
        var byCount = b.Count.CompareTo(a.Count);
        if (byCount != 0) return byCount;
        var byLeft = string.CompareOrdinal(a.Left, b.Left);
        return byLeft != 0 ? byLeft : string.CompareOrdinal(a.Right, b.Right);
    }
}
