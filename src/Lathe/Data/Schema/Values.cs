using System.Globalization;

namespace Lathe.Data.Schema;

/// <summary>How raw text values are read: missing markers, numbers, booleans and dates.</summary>
public static class Values
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd HH:mm",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-ddTHH:mm:ssK", "yyyy/MM/dd", "yyyy/MM/dd HH:mm", "yyyy/MM/dd HH:mm:ss",
        "MM/dd/yyyy", "M/d/yyyy", "M/d/yyyy H:mm", "MM/dd/yyyy HH:mm", "M/d/yyyy h:mm tt", "MMM d yyyy", "MMM dd yyyy",
        "MMM d, yyyy", "d MMM yyyy", "dd-MMM-yy", "d-MMM-yy", "MMMM d, yyyy", "yyyyMMdd",
    ];

    /// <summary>Empty, NA, N/A, NaN, null and ? mark a missing value. "None" does not: in real tables it is often a category (no damage, no symptoms).</summary>
    public static bool IsMissing(string? text) =>
        text is null || text.Length == 0 || text.Trim().ToLowerInvariant() is "" or "na" or "n/a" or "nan" or "null" or "?";

    /// <summary>A number, including the forms people type into spreadsheets: thousands separators ("1,234"),
    /// currency ("$5", "5 €"), percentages ("12%" is 0.12) and accounting negatives ("(42)").</summary>
    public static bool TryNumber(string text, out double value) =>
        (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value))
        || TryRepairedNumber(text.AsSpan().Trim(), out value);

    private static bool TryRepairedNumber(ReadOnlySpan<char> text, out double value)
    {
        value = double.NaN;
        var negative = false;
        if (text.Length > 2 && text[0] == '(' && text[^1] == ')')
        {
            negative = true;
            text = text[1..^1].Trim();
        }
        var percent = text.EndsWith("%");
        if (percent) text = text[..^1].Trim();
        if (text.Length > 0 && text[0] == '-')
        {
            negative = !negative;
            text = text[1..].Trim();
        }
        var currency = false;
        if (text.Length > 0 && "$€£¥".Contains(text[0]))
        {
            currency = true;
            text = text[1..].Trim();
        }
        else if (text.Length > 0 && "$€£¥".Contains(text[^1]))
        {
            currency = true;
            text = text[..^1].Trim();
        }
        var grouped = text.Contains(',');
        // A comma is only read as a thousands separator in groups of three: "1,234.5", never "1,5".
        if (grouped && !ThousandsGroups(text)) return false;
        if (!(negative || percent || currency || grouped)) return false;
        Span<char> digits = stackalloc char[text.Length];
        var length = 0;
        foreach (var c in text)
            if (c != ',') digits[length++] = c;
        if (!double.TryParse(digits[..length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
        value = (negative ? -number : number) / (percent ? 100 : 1);
        return double.IsFinite(value);
    }

    private static bool ThousandsGroups(ReadOnlySpan<char> text)
    {
        var point = text.IndexOf('.');
        var whole = point < 0 ? text : text[..point];
        var groups = whole.ToString().Split(',');
        return groups[0].Length is >= 1 and <= 3 && groups.Skip(1).All(g => g.Length == 3) && groups.All(g => g.All(char.IsAsciiDigit));
    }

    public static bool TryBoolean(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "y" or "t":
                value = true;
                return true;
            case "false" or "no" or "n" or "f":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool TryDate(string text, out DateTime value) =>
        DateTime.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal, out value);
}
