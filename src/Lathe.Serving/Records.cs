using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Lathe.Serving;

/// <summary>One value of a request record, as sent: JSON's kinds, or CSV text.</summary>
public readonly record struct RawValue(RawKind Kind, double Number = 0, string? Text = null)
{
    public static readonly RawValue Null = new(RawKind.Null);

    /// <summary>The value as a data file would have held it: numbers and booleans as their text.</summary>
    public string? AsText() => Kind switch
    {
        RawKind.String => Text,
        RawKind.Number => Text ?? Number.ToString("R", CultureInfo.InvariantCulture),
        RawKind.Boolean => Number != 0 ? "true" : "false",
        _ => null,
    };

    public string Describe() => Kind switch
    {
        RawKind.Null => "null",
        RawKind.Number => "a number",
        RawKind.String => "a string",
        RawKind.Boolean => "a boolean",
        RawKind.Object => "an object",
        _ => "an array",
    };
}

public enum RawKind { Null, Number, String, Boolean, Object, Array }

/// <summary>A request body turned into records (field name → value), or the reasons it cannot be.</summary>
public sealed record RequestRecords(IReadOnlyList<IReadOnlyDictionary<string, RawValue>> Records, bool Single)
{
    /// <summary>JSON nested deeper than this is refused before it is walked.</summary>
    public const int MaxDepth = 16;

    /// <summary>A JSON body: one record (an object) or several (an array of objects).</summary>
    public static RequestRecords FromJson(ReadOnlyMemory<byte> body, int maxRecords)
    {
        // The JSON reader leaves strings' bytes unchecked until they are read: check them all first, to say where.
        try
        {
            StrictUtf8.GetCharCount(body.Span);
        }
        catch (DecoderFallbackException e)
        {
            throw new RequestException(400, "malformed", "The body is not UTF-8 text", $"invalid UTF-8 at byte {e.Index + 1}");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new RequestException(400, "malformed", "The body is not valid JSON", $"{e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object) return new RequestRecords([Record(root, "")], true);
            if (root.ValueKind != JsonValueKind.Array)
                throw new RequestException(400, "malformed", "The body is not a record", "send one record as a JSON object, or several as an array of objects");
            var count = root.GetArrayLength();
            if (count == 0) throw new RequestException(400, "malformed", "No records", "the array is empty; send at least one record");
            if (count > maxRecords) throw new RequestException(413, "too-many-records", "Too many records", $"{count} records in one request; the server takes at most {maxRecords} (--max-records)");
            var records = new List<IReadOnlyDictionary<string, RawValue>>(count);
            var errors = new ProblemErrors();
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object) errors.Add($"[{index}]", $"expected a record (a JSON object), got {Kind(element.ValueKind).Describe()}");
                else records.Add(Record(element, $"[{index}]."));
                index++;
            }
            errors.ThrowIfAny();
            return new RequestRecords(records, false);
        }
    }

    private static Dictionary<string, RawValue> Record(JsonElement element, string prefix)
    {
        var record = new Dictionary<string, RawValue>(StringComparer.Ordinal);
        Fields(element, prefix, "", record);
        return record;
    }

    /// <summary>The fields of <paramref name="element"/> into <paramref name="record"/>; a nested object's fields under
    /// their path (<c>record.high</c>), as <see cref="Lathe.Data.Sources.JsonSource"/> reads a data file's.</summary>
    private static void Fields(JsonElement element, string prefix, string path, Dictionary<string, RawValue> record)
    {
        foreach (var property in element.EnumerateObject())
        {
            RawValue value;
            string name;
            try
            {
                name = path + property.Name;
                if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    Fields(property.Value, prefix, name + Lathe.Data.Sources.JsonSource.NestedSeparator, record);
                    continue;
                }
                value = property.Value.ValueKind switch
                {
                    JsonValueKind.Number => new RawValue(RawKind.Number, property.Value.GetDouble(), property.Value.GetRawText()),
                    JsonValueKind.String => new RawValue(RawKind.String, Text: property.Value.GetString()),
                    JsonValueKind.True => new RawValue(RawKind.Boolean, 1),
                    JsonValueKind.False => new RawValue(RawKind.Boolean, 0),
                    var other => Kind(other),
                };
            }
            catch (InvalidOperationException)
            {
                // An escape that is half a surrogate pair (\ud800 alone) is valid JSON but no text.
                throw new RequestException(400, "malformed", "The body is not valid Unicode text",
                    $"{(prefix.Length == 0 ? "the record" : $"record {prefix.TrimEnd('.')}")} holds a name or string with a lone surrogate escape (\\uD800–\\uDFFF not in a pair)");
            }
            if (!record.TryAdd(name, value))
                throw new RequestException(400, "invalid-input", "Invalid input", $"field '{prefix}{name}' appears twice in one record",
                    new ProblemErrors().Add(prefix + name, "appears twice"));
        }
    }

    private static RawValue Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => new RawValue(RawKind.Object),
        JsonValueKind.Array => new RawValue(RawKind.Array),
        _ => RawValue.Null,
    };

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>A CSV body (RFC 4180): a header row of field names, then one record per row. Fields are split by commas,
    /// or by semicolons, tabs or bars where the header split so names more of the <paramref name="known"/> fields (a
    /// European spreadsheet's export, with decimal commas in its numbers, is split by semicolons).</summary>
    public static RequestRecords FromCsv(ReadOnlyMemory<byte> body, int maxRecords, Func<string, bool>? known = null)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(body.Span);
        }
        catch (DecoderFallbackException e)
        {
            throw new RequestException(400, "malformed", "The body is not UTF-8 text", $"invalid UTF-8 at byte {e.Index}");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var rows = CsvRows(text, Delimiter(text, known));
        if (rows.Count == 0) throw new RequestException(400, "malformed", "No header row", "a CSV body starts with a header row naming the fields");
        var header = rows[0].Fields;
        if (header.Distinct(StringComparer.Ordinal).Count() != header.Count)
            throw new RequestException(400, "malformed", "Repeated field name", $"the header names '{header.GroupBy(h => h).First(g => g.Count() > 1).Key}' twice");
        if (rows.Count == 1) throw new RequestException(400, "malformed", "No records", "the CSV body has a header row but no records");
        if (rows.Count - 1 > maxRecords) throw new RequestException(413, "too-many-records", "Too many records", $"{rows.Count - 1} records in one request; the server takes at most {maxRecords} (--max-records)");
        var errors = new ProblemErrors();
        var records = new List<IReadOnlyDictionary<string, RawValue>>(rows.Count - 1);
        for (var r = 1; r < rows.Count; r++)
        {
            var (fields, line) = rows[r];
            if (fields.Count != header.Count)
            {
                errors.Add($"line {line}", $"{fields.Count} fields, but the header has {header.Count}");
                continue;
            }
            var record = new Dictionary<string, RawValue>(StringComparer.Ordinal);
            // An empty field is a missing value, as in a data file.
            for (var c = 0; c < header.Count; c++)
                record[header[c]] = fields[c].Length == 0 ? RawValue.Null : new RawValue(RawKind.String, Text: fields[c]);
            records.Add(record);
        }
        errors.ThrowIfAny();
        return new RequestRecords(records, false);
    }

    private static readonly char[] Delimiters = [',', ';', '\t', '|'];

    /// <summary>What splits the body's fields: of <see cref="Delimiters"/>, the first whose split of the header names the
    /// most <paramref name="known"/> fields.</summary>
    private static char Delimiter(string text, Func<string, bool>? known)
    {
        if (known is null) return ',';
        var end = text.IndexOf('\n');
        var header = end < 0 ? text : text[..end];
        if (header.IndexOfAny(Delimiters.AsSpan(1)) < 0) return ',';
        var best = (Delimiter: ',', Known: -1);
        foreach (var delimiter in Delimiters)
        {
            List<(List<string> Fields, int Line)> names;
            try
            {
                names = CsvRows(header, delimiter);
            }
            catch (RequestException)
            {
                return ',';
            }
            var count = names.Count == 0 ? 0 : names[0].Fields.Count(known);
            if (count > best.Known) best = (delimiter, count);
        }
        return best.Delimiter;
    }

    /// <summary>RFC 4180 rows with the line each starts on; quoted fields may hold separators, quotes ("") and line breaks.</summary>
    private static List<(List<string> Fields, int Line)> CsvRows(string text, char delimiter)
    {
        var rows = new List<(List<string>, int)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, start = 1, i = 0;
        var quoted = false;
        var any = false;
        while (i < text.Length)
        {
            var c = text[i++];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i < text.Length && text[i] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = any = true;
                    break;
                case var _ when c == delimiter:
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    if (any || field.Length > 0 || fields.Count > 0)
                    {
                        fields.Add(field.ToString());
                        rows.Add((fields, start));
                    }
                    fields = [];
                    field.Clear();
                    any = false;
                    start = ++line;
                    break;
                default:
                    field.Append(c);
                    any = true;
                    break;
            }
        }
        if (quoted) throw new RequestException(400, "malformed", "Unterminated quote", $"the quoted field that starts on line {start} never ends");
        if (any || field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add((fields, start));
        }
        return rows;
    }
}
