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
            foreach (var record in root.EnumerateArray())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (record.ValueKind != JsonValueKind.Object)
                    throw new DataException($"{path}: record {index + 1} is a {record.ValueKind.ToString().ToLowerInvariant()}, not an object of fields");
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
            var table = order.Select(name => columns[name].ToColumn(name)).ToArray();
            return new Table(table, Path.GetFileName(path));
        }
    }

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
