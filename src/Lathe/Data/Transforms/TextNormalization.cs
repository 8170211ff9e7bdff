using System.Text;

namespace Lathe.Data.Transforms;

/// <summary>How text is made uniform before it is split into tokens: Unicode compatibility normalisation (NFKC:
/// "ﬁ" → "fi", full-width "Ａ" → "A", "²" → "2"), lower case, and runs of white space collapsed to one space with
/// none at either end. Kept in the fitted state, so prediction normalises exactly as training did.</summary>
public sealed record TextNormalization(bool Nfkc = true, bool Lowercase = true, bool CollapseWhitespace = true)
{
    public string Apply(string text)
    {
        if (Nfkc) text = Transforms.Nfkc.Normalize(text);
        if (Lowercase) text = text.ToLowerInvariant();
        return CollapseWhitespace ? Collapse(text) : text;
    }

    private static string Collapse(string text)
    {
        var result = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = result.Length > 0;
                continue;
            }
            if (space) result.Append(' ');
            space = false;
            result.Append(c);
        }
        return result.Length == text.Length ? text : result.ToString();
    }
}
