using System.Text;
using System.Text.Json;
using Lathe.Data.Cleaning;

namespace Lathe.Data.Sources;

/// <summary>Reads JSON records: an array of objects (as vega-datasets ships tables) or JSON Lines (one
/// object per line; a <c>.json</c> file that starts with <c>{</c> is read this way too). Keys become
/// columns in order of first appearance; a record without a key is missing there. A nested object's fields are
/// columns of their own, named by their path (<c>record.high</c>); an array is kept as its JSON text. A column whose values
/// are all numbers or null stays numeric; anything else is kept as text and typed later. A record that is
/// not an object — or, in JSON Lines, a line that is not valid JSON — is quarantined, not fatal.</summary>
public sealed class JsonSource(string path, bool? lines = null) : IDataSource
{
    /// <summary>Joins a nested object's name to its fields' names: <c>{"record": {"high": 62}}</c> is the column
    /// <c>record.high</c>, in a data file and in a request alike.</summary>
    public const string NestedSeparator = ".";

    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public string Name => path;

    public IReadOnlyList<string> Files => [path];

    public Table Read(CancellationToken cancellationToken = default)
    {
        var bytes = CompressedFile.ReadAllBytes(path);
        var records = new Records([]);
        var jsonLines = lines ?? LooksLikeLines(bytes);
        if (jsonLines) ReadLines(bytes, records, cancellationToken);
        else ReadArray(bytes, records, cancellationToken);

        return new Table(records.Columns(), Path.GetFileName(path), records.Numbers.ToArray(), records.Quarantined, jsonLines ? "line" : "record",
            Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>JSON Lines line by line, through a buffer that grows only for a line longer than it; an array of
    /// records is read whole, as one batch. Every batch has the columns of the keys seen so far, in order of first
    /// appearance (missing in a batch whose records lack them).</summary>
    public IEnumerable<Table> ReadBatches(int rows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        if (!(lines ?? LooksLikeLines(Head(1 << 20))))
        {
            yield return Read(cancellationToken);
            yield break;
        }
        var name = Path.GetFileName(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        using var stream = CompressedFile.Open(path);
        var buffer = new byte[1 << 20];
        int position = 0, filled = 0, line = 0;
        var eof = false;
        var records = new Records([]);
        var first = true;
        while (!eof || position < filled)
        {
            var end = Array.IndexOf(buffer, (byte)'\n', position, filled - position);
            if (end < 0 && !eof)
            {
                if (position == 0 && filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                Buffer.BlockCopy(buffer, position, buffer, 0, filled - position);
                (filled, position) = (filled - position, 0);
                int read;
                try
                {
                    read = stream.ReadAtLeast(buffer.AsSpan(filled), buffer.Length - filled, throwOnEndOfStream: false);
                }
                catch (InvalidDataException e)
                {
                    throw CompressedFile.Corrupt(path, e);
                }
                filled += read;
                eof = filled < buffer.Length;
                if (first && filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) position = 3;
                first = false;
                continue;
            }
            if (end < 0) end = filled;
            if (++line % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
            ReadLine(buffer.AsSpan(position, end - position), line, records);
            position = end + 1;
            if (records.Numbers.Count < rows) continue;
            yield return new Table(records.Columns(), name, records.Numbers.ToArray(), records.Quarantined, "line", directory);
            records = new Records(records.Names);
        }
        if (records.Numbers.Count > 0 || records.Quarantined.Count > 0 || line == 0)
            yield return new Table(records.Columns(), name, records.Numbers.ToArray(), records.Quarantined, "line", directory);
    }

    private byte[] Head(int count)
    {
        using var stream = CompressedFile.Open(path);
        var head = new byte[count];
        try
        {
            return head[..stream.ReadAtLeast(head, count, throwOnEndOfStream: false)];
        }
        catch (InvalidDataException e)
        {
            throw CompressedFile.Corrupt(path, e);
        }
    }

    private void ReadArray(byte[] bytes, Records records, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException e)
        {
            throw new DataException($"{path}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message.Split(" Path:")[0]}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new DataException($"{path}: expected a JSON array of records ([{{...}}, {{...}}]) or JSON Lines, found {Article(root.ValueKind)}");
            var number = 0;
            foreach (var record in root.EnumerateArray())
            {
                if (++number % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
                records.Add(record, number);
            }
        }
    }

    private static void ReadLines(byte[] bytes, Records records, CancellationToken cancellationToken)
    {
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        var line = 0;
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            line++;
            if (line % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
            ReadLine(bytes.AsSpan(start, end - start), line, records);
            start = end + 1;
        }
    }

    private static void ReadLine(ReadOnlySpan<byte> bytes, int line, Records records)
    {
        var text = bytes.TrimEnd((byte)'\r');
        if (text.Trim(" \t"u8).IsEmpty) return;
        try
        {
            using var document = JsonDocument.Parse(text.ToArray(), Options);
            records.Add(document.RootElement, line);
        }
        catch (JsonException e)
        {
            records.Quarantine(line, $"not valid JSON: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}", Encoding.UTF8.GetString(text));
        }
    }

    /// <summary>JSON Lines when the first non-empty line is a whole object on its own and another line follows.</summary>
    private static bool LooksLikeLines(byte[] bytes)
    {
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        var nonEmpty = new List<(int Start, int End)>();
        while (start < bytes.Length && nonEmpty.Count < 2)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            if (!bytes.AsSpan(start, end - start).Trim(" \t\r"u8).IsEmpty) nonEmpty.Add((start, end));
            start = end + 1;
        }
        if (nonEmpty.Count < 2) return false;
        var first = bytes.AsSpan(nonEmpty[0].Start, nonEmpty[0].End - nonEmpty[0].Start).Trim(" \t\r"u8);
        if (first.IsEmpty || first[0] != '{') return false;
        try
        {
            using var document = JsonDocument.Parse(first.ToArray(), Options);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a " + kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The records read so far, as growing columns.</summary>
    /// <param name="known">Keys seen in earlier batches: columns from the start, missing until a record has them.</param>
    private sealed class Records(IReadOnlyList<string> known)
    {
        private readonly Dictionary<string, JsonColumn> _columns = known.ToDictionary(k => k, _ => new JsonColumn(0), StringComparer.Ordinal);
        private readonly List<string> _order = [.. known];

        public IReadOnlyList<string> Names => _order;

        public List<int> Numbers { get; } = [];
        public List<QuarantinedRow> Quarantined { get; } = [];

        public void Add(JsonElement record, int number)
        {
            if (record.ValueKind != JsonValueKind.Object)
            {
                Quarantine(number, $"record is {Article(record.ValueKind)}, not an object of fields", record.GetRawText());
                return;
            }
            Fields(record, "", Numbers.Count);
            Numbers.Add(number);
        }

        /// <summary>A record's fields into their columns; a nested object's fields each into a column of their own,
        /// named by the path to them (<c>record.high</c>), as a request to the server is read.</summary>
        private void Fields(JsonElement record, string prefix, int row)
        {
            foreach (var property in record.EnumerateObject())
            {
                var name = prefix + property.Name;
                if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    Fields(property.Value, name + NestedSeparator, row);
                    continue;
                }
                if (!_columns.TryGetValue(name, out var column))
                {
                    _columns[name] = column = new JsonColumn(row);
                    _order.Add(name);
                }
                column.Set(row, property.Value);
            }
        }

        public void Quarantine(int number, string reason, string raw) => Quarantined.Add(new QuarantinedRow(number, reason, raw));

        public Column[] Columns() => _order.Select(name => _columns[name].ToColumn(name, Numbers.Count)).ToArray();
    }

    private sealed class JsonColumn(int missingBefore)
    {
        private readonly List<double> _numbers = Enumerable.Repeat(double.NaN, missingBefore).ToList();
        private readonly List<string?> _texts = Enumerable.Repeat<string?>(null, missingBefore).ToList();
        private bool _allNumeric = true;

        public void Set(int row, JsonElement value)
        {
            // Rows that had no value for this key are missing.
            while (_numbers.Count < row)
            {
                _numbers.Add(double.NaN);
                _texts.Add(null);
            }
            var (number, text) = value.ValueKind switch
            {
                JsonValueKind.Number => (value.GetDouble(), value.GetRawText()),
                JsonValueKind.Null or JsonValueKind.Undefined => (double.NaN, null),
                JsonValueKind.String => (double.NaN, value.GetString()),
                JsonValueKind.True => (double.NaN, "true"),
                JsonValueKind.False => (double.NaN, "false"),
                _ => (double.NaN, value.GetRawText()),
            };
            if (value.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null or JsonValueKind.Undefined)) _allNumeric = false;
            if (_numbers.Count == row)
            {
                _numbers.Add(number);
                _texts.Add(text);
            }
            else
            {
                // A key repeated within one record: the last value wins, as in most JSON readers.
                _numbers[row] = number;
                _texts[row] = text;
            }
        }

        public Column ToColumn(string name, int rows)
        {
            while (_numbers.Count < rows)
            {
                _numbers.Add(double.NaN);
                _texts.Add(null);
            }
            return _allNumeric ? new NumericColumn(name, _numbers.ToArray()) : new StringColumn(name, _texts.ToArray());
        }
    }
}
