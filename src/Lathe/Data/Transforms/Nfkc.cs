using System.Globalization;
using System.Text;

namespace Lathe.Data.Transforms;

/// <summary>Unicode normalisation form KC: compatibility decomposition, canonical ordering, canonical composition
/// (UAX #15), so that "ﬁ", "Ｆｉ" and "fi" become the same text. Lathe runs with invariant globalization, where
/// <c>string.Normalize</c> returns its input unchanged (and <c>IsNormalized</c> says true), so the tables come with
/// Lathe: <c>nfkc.txt</c>, generated from the Unicode Character Database by <c>scripts/unicode-nfkc.py</c>.</summary>
public static class Nfkc
{
    private const int HangulBase = 0xAC00, LeadBase = 0x1100, VowelBase = 0x1161, TrailBase = 0x11A7;
    private const int VowelCount = 21, TrailCount = 28, SyllableCount = 11172;

    private static readonly Lazy<Tables> Data = new(Tables.Load);

    /// <summary>The Unicode version of the tables.</summary>
    public static string UnicodeVersion => Data.Value.Version;

    public static string Normalize(string text)
    {
        // Everything below U+00A0 (no-break space, which becomes a space) is its own NFKC form.
        var i = 0;
        while (i < text.Length && text[i] < 0xA0) i++;
        if (i == text.Length) return text;

        var tables = Data.Value;
        var points = new List<int>(text.Length + 8);
        foreach (var rune in text.EnumerateRunes()) Decompose(rune.Value, tables, points);
        Order(points, tables);
        Compose(points, tables);

        var result = new StringBuilder(points.Count);
        foreach (var point in points) result.Append(char.ConvertFromUtf32(point));
        return result.ToString();
    }

    private static void Decompose(int point, Tables tables, List<int> into)
    {
        var s = point - HangulBase;
        if (s is >= 0 and < SyllableCount)
        {
            into.Add(LeadBase + s / (VowelCount * TrailCount));
            into.Add(VowelBase + s % (VowelCount * TrailCount) / TrailCount);
            if (s % TrailCount != 0) into.Add(TrailBase + s % TrailCount);
        }
        else if (tables.Decomposition.TryGetValue(point, out var mapping)) into.AddRange(mapping);
        else into.Add(point);
    }

    /// <summary>Canonical ordering: marks between two starters sorted by combining class, stably.</summary>
    private static void Order(List<int> points, Tables tables)
    {
        for (var i = 1; i < points.Count; i++)
        {
            var cc = tables.Class(points[i]);
            if (cc == 0) continue;
            var j = i;
            while (j > 0 && tables.Class(points[j - 1]) > cc)
            {
                (points[j - 1], points[j]) = (points[j], points[j - 1]);
                j--;
            }
        }
    }

    /// <summary>Canonical composition: each mark joins the last starter when nothing between them blocks it.</summary>
    private static void Compose(List<int> points, Tables tables)
    {
        if (points.Count < 2) return;
        var starter = 0;
        var lastClass = tables.Class(points[0]) == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < points.Count; read++)
        {
            var point = points[read];
            var cc = tables.Class(point);
            if ((lastClass < cc || lastClass == 0) && TryCompose(points[starter], point, tables, out var composite))
            {
                points[starter] = composite;
                continue;
            }
            if (cc == 0) starter = write;
            lastClass = cc;
            points[write++] = point;
        }
        points.RemoveRange(write, points.Count - write);
    }

    private static bool TryCompose(int first, int second, Tables tables, out int composite)
    {
        var lead = first - LeadBase;
        if (lead is >= 0 and < 19 && second - VowelBase is >= 0 and < VowelCount)
        {
            composite = HangulBase + (lead * VowelCount + second - VowelBase) * TrailCount;
            return true;
        }
        var syllable = first - HangulBase;
        if (syllable is >= 0 and < SyllableCount && syllable % TrailCount == 0 && second - TrailBase is > 0 and < TrailCount)
        {
            composite = first + second - TrailBase;
            return true;
        }
        return tables.Composition.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    private sealed class Tables
    {
        public string Version { get; private set; } = "";
        public Dictionary<int, int[]> Decomposition { get; } = [];
        public Dictionary<long, int> Composition { get; } = [];
        private readonly byte[] _classes = new byte[0x110000];

        public int Class(int point) => _classes[point];

        public static Tables Load()
        {
            var tables = new Tables();
            using var stream = typeof(Nfkc).Assembly.GetManifestResourceStream("Lathe.nfkc.txt")
                ?? throw new InvalidOperationException("the NFKC tables (nfkc.txt) are not embedded in Lathe.Core");
            using var reader = new StreamReader(stream, Encoding.ASCII);
            while (reader.ReadLine() is { } line)
            {
                var fields = line.Split(' ');
                int Hex(int k) => int.Parse(fields[k], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                switch (fields[0])
                {
                    case "v":
                        tables.Version = fields[1];
                        break;
                    case "c":
                        for (var p = Hex(1); p <= Hex(2); p++) tables._classes[p] = byte.Parse(fields[3], CultureInfo.InvariantCulture);
                        break;
                    case "d":
                        tables.Decomposition[Hex(1)] = Enumerable.Range(2, fields.Length - 2).Select(Hex).ToArray();
                        break;
                    case "p":
                        tables.Composition[((long)Hex(1) << 21) | (uint)Hex(2)] = Hex(3);
                        break;
                }
            }
            return tables;
        }
    }
}
