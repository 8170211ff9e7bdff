using System.Text;
using System.Text.Json;

namespace Lathe.Tests.Bundles;

/// <summary>A vega-datasets JSON array of records rewritten, value for value, as JSON Lines or as CSV: formats that
/// are read in batches (an array is read whole).</summary>
public static class JsonRecords
{
    public static string ToLines(string json, string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(json));
        File.WriteAllLines(path, document.RootElement.EnumerateArray().Select(r => r.GetRawText().ReplaceLineEndings(" ")));
        return path;
    }

    /// <summary>CSV with the keys of the first record as the header; numbers as the JSON wrote them, null as empty.</summary>
    public static string ToCsv(string json, string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(json));
        var records = document.RootElement.EnumerateArray().ToArray();
        var names = records[0].EnumerateObject().Select(p => p.Name).ToArray();
        var text = new StringBuilder(string.Join(",", names.Select(Quote))).Append('\n');
        foreach (var record in records)
            text.Append(string.Join(",", names.Select(n => record.TryGetProperty(n, out var v) ? Field(v) : ""))).Append('\n');
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static string Field(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "",
        JsonValueKind.String => Quote(value.GetString()!),
        _ => value.GetRawText(),
    };

    private static string Quote(string text) => text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
}
