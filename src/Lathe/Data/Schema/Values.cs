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
        // Points between the parts are written day first (German, Swiss, Nordic, Russian spreadsheets).
        "dd.MM.yyyy", "d.M.yyyy", "dd.MM.yyyy HH:mm", "d.M.yyyy H:mm", "dd.MM.yyyy HH:mm:ss", "d.M.yyyy H:mm:ss",
        // Month names with hyphens (statistical offices' exports: Jan-1-1995, 01-Jan-1995).
        "MMM-d-yyyy", "d-MMM-yyyy",
        // A month without its day (monthly series: 1949-01, Jan 1995), read as the month's first day.
        "yyyy-MM", "yyyy/MM", "MMM yyyy", "MMMM yyyy", "MMM-yyyy",
    ];

    /// <summary>Empty, NA, N/A, NaN, null and ? mark a missing value; so do what other tools write for one: pandas' NaT
    /// and &lt;NA&gt;, Excel's #N/A and its other error values (#DIV/0!, #VALUE!, #REF!, #NUM!, #NAME?, #NULL!, which
    /// the Excel reader reads as empty cells too), and C runtimes' printed NaNs (-nan, 1.#IND, 1.#QNAN). "None" does
    /// not: in real tables it is often a category (no damage, no symptoms).</summary>
    public static bool IsMissing(string? text)
    {
        if (text is null) return true;
        var value = text.AsSpan().Trim();
        return value.Length switch
        {
            0 => true,
            1 => value[0] == '?',
            2 => value.Equals("na", StringComparison.OrdinalIgnoreCase),
            3 => value.Equals("n/a", StringComparison.OrdinalIgnoreCase) || value.Equals("nan", StringComparison.OrdinalIgnoreCase)
                 || value.Equals("NaT", StringComparison.Ordinal) || value.Equals("#NA", StringComparison.Ordinal),
            4 => value.Equals("null", StringComparison.OrdinalIgnoreCase) || value[0] is '#' or '<' or '-' && Marker(value),
            _ => value[0] is '#' or '-' or '1' && Marker(value),
        };

        static bool Marker(ReadOnlySpan<char> value) => value switch
        {
            "#N/A" or "<NA>" or "-nan" or "-NaN" or "#N/A N/A" => true,
            "#DIV/0!" or "#VALUE!" or "#REF!" or "#NUM!" or "#NAME?" or "#NULL!" => true,
            "1.#IND" or "-1.#IND" or "1.#QNAN" or "-1.#QNAN" => true,
            _ => false,
        };
    }

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
        var word = text.AsSpan().Trim();
        value = false;
        if (word.Length > 5) return false;
        if (Is(word, "true") || Is(word, "yes") || Is(word, "y") || Is(word, "t")) return value = true;
        return Is(word, "false") || Is(word, "no") || Is(word, "n") || Is(word, "f");

        static bool Is(ReadOnlySpan<char> word, string expected) => word.Equals(expected, StringComparison.OrdinalIgnoreCase);
    }

    public static bool TryDate(string text, out DateTime value) =>
        TryIsoDate(text.AsSpan().Trim(), out value)
        || TryQuarter(text.AsSpan().Trim(), out value)
        || DateTime.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>A quarter as quarterly series write it — <c>1974Q1</c>, <c>1974-Q1</c>, <c>1974 Q1</c>, <c>Q1 1974</c>,
    /// <c>Q1-1974</c> (Q or q) — read as the quarter's first day.</summary>
    private static bool TryQuarter(ReadOnlySpan<char> text, out DateTime value)
    {
        value = default;
        if (text.Length is < 6 or > 7) return false;
        int year, quarter;
        if (text[0] is 'Q' or 'q')
        {
            // Q1 1974, Q1-1974, Q11974 is not one.
            if (text.Length != 7 || text[2] is not (' ' or '-') || !Digits(text, 3, 4, out year)) return false;
            quarter = text[1] - '0';
        }
        else
        {
            if (!Digits(text, 0, 4, out year)) return false;
            var at = text.Length == 7 && text[4] is ' ' or '-' ? 5 : 4;
            if (at + 2 != text.Length || text[at] is not ('Q' or 'q')) return false;
            quarter = text[at + 1] - '0';
        }
        if (quarter is < 1 or > 4 || year < 1) return false;
        value = new DateTime(year, 3 * quarter - 2, 1, 0, 0, 0, DateTimeKind.Utc);
        return true;
    }

    /// <summary>The common machine-written forms, read without the general parser (millions of rows of
    /// timestamps are read three times in a run): <c>yyyy-MM-dd</c>, optionally followed by <c>T</c> or a
    /// space and <c>HH:mm</c> or <c>HH:mm:ss</c>. Anything else goes to the general parser.</summary>
    private static bool TryIsoDate(ReadOnlySpan<char> text, out DateTime value)
    {
        value = default;
        if (text.Length is not (10 or 16 or 19) || text[4] != '-' || text[7] != '-') return false;
        if (!(Digits(text, 0, 4, out var year) && Digits(text, 5, 2, out var month) && Digits(text, 8, 2, out var day))) return false;
        int hour = 0, minute = 0, second = 0;
        if (text.Length > 10)
        {
            if (text[10] is not ('T' or ' ') || text[13] != ':' || !Digits(text, 11, 2, out hour) || !Digits(text, 14, 2, out minute)) return false;
            if (text.Length == 19 && (text[16] != ':' || !Digits(text, 17, 2, out second))) return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int number)
    {
        number = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i])) return false;
            number = number * 10 + (text[i] - '0');
        }
        return true;
    }
}
