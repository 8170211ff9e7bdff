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

    public static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

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
