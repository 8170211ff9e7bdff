using System.Globalization;
using System.Text;
using ICSharpCode.SharpZipLib.BZip2;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class NfkcTests
{
    [Fact]
    public void Invariant_globalization_leaves_normalize_a_no_op_which_is_why_lathe_carries_its_own_tables()
    {
        Assert.Equal("ﬁ", "ﬁ".Normalize(NormalizationForm.FormKC));
        Assert.True("ﬁ".IsNormalized(NormalizationForm.FormKC));
        Assert.Equal("fi", Nfkc.Normalize("ﬁ"));
    }

    [Fact]
    public void Compatibility_forms_become_plain_text_and_accents_compose()
    {
        Assert.Equal("Abc12", Nfkc.Normalize("Ａｂｃ１２"));
        Assert.Equal("x2 1\u20442 1", Nfkc.Normalize("x² ½ ①"));
        Assert.Equal("café", Nfkc.Normalize("cafe\u0301"));
        Assert.Equal("a b", Nfkc.Normalize("a\u00A0b"));
        Assert.Equal("한국어", Nfkc.Normalize("\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165"));
        var plain = "Star Wars: Episode IV";
        Assert.Same(plain, Nfkc.Normalize(plain));
    }

    /// <summary>Unicode's own conformance file: for every line, c4 = NFKC(c1) = NFKC(c2) = NFKC(c3) = NFKC(c4) = NFKC(c5),
    /// and every code point not listed in part 1 is its own NFKC form.</summary>
    [Fact]
    public void Every_line_of_the_unicode_normalization_test_passes()
    {
        using var file = File.OpenRead(TestData.Unicode("NormalizationTest.txt.bz2"));
        using var reader = new StreamReader(new BZip2InputStream(file), Encoding.UTF8);
        var listed = new HashSet<int>();
        var part = "";
        var lines = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('@')) part = line;
            if (line.Length == 0 || line[0] is '#' or '@') continue;
            var columns = line.Split(';').Take(5).Select(Text).ToArray();
            if (part.StartsWith("@Part1", StringComparison.Ordinal)) listed.Add(char.ConvertToUtf32(columns[0], 0));
            for (var c = 0; c < 5; c++)
                Assert.True(columns[3] == Nfkc.Normalize(columns[c]), $"NFKC(c{c + 1}) of line '{line}' is {Hex(Nfkc.Normalize(columns[c]))}");
            lines++;
        }
        Assert.True(lines > 15_000, $"only {lines} test lines");
        Assert.Equal("15.0.0", Nfkc.UnicodeVersion);
        for (var point = 0; point < 0x110000; point++)
        {
            if (point is >= 0xD800 and <= 0xDFFF || listed.Contains(point)) continue;
            var text = char.ConvertFromUtf32(point);
            Assert.True(text == Nfkc.Normalize(text), $"U+{point:X4} is not listed, so it must be its own NFKC form");
        }
    }

    private static string Text(string hex) =>
        string.Concat(hex.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => char.ConvertFromUtf32(int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))));

    private static string Hex(string text) => string.Join(' ', text.EnumerateRunes().Select(r => r.Value.ToString("X4", CultureInfo.InvariantCulture)));
}
