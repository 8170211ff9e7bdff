using System.Globalization;
using System.Text.Json;

namespace Lathe.Data.Sources;

/// <summary>Reads a JSON array of records (as vega-datasets ships tables). Keys become columns in order
/// of first appearance; a record without a key is missing there. A column whose values are all numbers
/// or null stays numeric; anything else is kept as text and typed later.</summary>
public sealed class JsonSource(string path) : IDataSource
{
    public IReadOnlyList<string> Files => [path];

    public Table Read(CancellationToken cancellationToken = default)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new DataException($"{path}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message.Split(" Path:")[0]}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new DataException($"{path}: expected a JSON array of records ([{{...}}, {{...}}]), found a {root.ValueKind.ToString().ToLowerInvariant()}");
            var rows = root.GetArrayLength();
            var columns = new Dictionary<string, JsonColumn>(StringComparer.Ordinal);
            var order = new List<string>();
            var index = 0;
            var quarantined = new List<Cleaning.QuarantinedRow>();
            var kept = new List<int>(rows);
            foreach (var record in root.EnumerateArray())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (record.ValueKind != JsonValueKind.Object)
                {
                    quarantined.Add(new Cleaning.QuarantinedRow(index + 1, $"record is {Article(record.ValueKind)}, not an object of fields", record.GetRawText()));
                    index++;
                    continue;
                }
                kept.Add(index);
                foreach (var property in record.EnumerateObject())
                {
                    if (!columns.TryGetValue(property.Name, out var column))
                    {
                        columns[property.Name] = column = new JsonColumn(rows);
                        order.Add(property.Name);
                    }
                    column.Set(index, property.Value);
                }
                index++;
            }
            var table = new Table(order.Select(name => columns[name].ToColumn(name)).ToArray(), Path.GetFileName(path));
            if (quarantined.Count == 0) return table;
            // Keep the record numbers of the rows that remain, so messages still point at the right record.
            var numbers = kept.Select(i => i + 1).ToArray();
            return new Table(table.Gather(kept.ToArray()).Columns, table.Source, numbers, quarantined, "record");
        }
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a " + kind.ToString().ToLowerInvariant(),
    };

    private sealed class JsonColumn(int rows)
    {
        private readonly double[] _numbers = Enumerable.Repeat(double.NaN, rows).ToArray();
        private readonly string?[] _texts = new string?[rows];
        private bool _allNumeric = true;

        public void Set(int row, JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    _numbers[row] = value.GetDouble();
                    _texts[row] = value.GetRawText();
                    break;
                case JsonValueKind.Null or JsonValueKind.Undefined:
                    break;
                case JsonValueKind.String:
                    _allNumeric = false;
                    _texts[row] = value.GetString();
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    _allNumeric = false;
                    _texts[row] = value.ValueKind == JsonValueKind.True ? "true" : "false";
                    break;
                default:
                    _allNumeric = false;
                    _texts[row] = value.GetRawText();
                    break;
            }
        }

        public Column ToColumn(string name) => _allNumeric ? new NumericColumn(name, _numbers) : new StringColumn(name, _texts);
    }
}
