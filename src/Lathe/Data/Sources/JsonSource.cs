using System.Text;
using System.Text.Json;
using Lathe.Data.Cleaning;
using Lathe.Data.Schema;

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
        List<ReadNote> notes = [];
        if (jsonLines) ReadLines(bytes, records, cancellationToken);
        else notes = ReadDocument(bytes, records, cancellationToken);
        notes.AddRange(records.Notes);

        return new Table(records.Columns(), Path.GetFileName(path), records.Numbers.ToArray(), records.Quarantined, jsonLines ? "line" : "record",
            Path.GetDirectoryName(Path.GetFullPath(path))) { Notes = notes };
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
                if (first) position = Utf8Bom.Length(buffer.AsSpan(0, filled));
                first = false;
                continue;
            }
            if (end < 0) end = filled;
            if (++line % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
            ReadLine(buffer.AsSpan(position, end - position), line, records);
            position = end + 1;
            if (records.Numbers.Count < rows) continue;
            yield return new Table(records.Columns(), name, records.Numbers.ToArray(), records.Quarantined, "line", directory) { Notes = records.Notes };
            // The count of values read as missing runs on: the last batch's note says the file's.
            records = new Records(records.Names) { NonFinite = records.NonFinite };
        }
        if (records.Numbers.Count > 0 || records.Quarantined.Count > 0 || line == 0)
            yield return new Table(records.Columns(), name, records.Numbers.ToArray(), records.Quarantined, "line", directory) { Notes = records.Notes };
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

    /// <summary>A whole JSON document: an array of records, or one of the other shapes tables are written in
    /// (<see cref="ReadObject"/>; an array of arrays, <see cref="ReadRows"/>). What was decided is said in the notes.</summary>
    private List<ReadNote> ReadDocument(byte[] bytes, Records records, CancellationToken cancellationToken)
    {
        JsonDocument document;
        var notes = new List<ReadNote>();
        // A byte-order mark, as Windows tools write one, is not JSON.
        var text = bytes.AsMemory(Utf8Bom.Length(bytes));
        try
        {
            document = JsonDocument.Parse(text, Options);
        }
        catch (JsonException e)
        {
            // Python's json module writes a missing float as NaN, which JSON does not have: read as null, and said.
            if (WithoutNonFinite(text.Span, out var count) is not { } mended)
                throw new DataException($"{path}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message.Split(" Path:")[0]}");
            try
            {
                document = JsonDocument.Parse(mended, Options);
            }
            catch (JsonException again)
            {
                // Where the text fails once its NaNs are read as null (the lines are the file's; a byte count would not be).
                throw new DataException($"{path}: not valid JSON at line {again.LineNumber + 1}: {again.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}");
            }
            notes.Add(NonFiniteNote(count));
        }
        using (document)
        {
            var root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Array when ArrayOfRows(root):
                    ReadRows(root, records, notes, cancellationToken);
                    break;
                case JsonValueKind.Array:
                    ReadRecords(root, records, cancellationToken);
                    break;
                case JsonValueKind.Object:
                    ReadObject(root, records, notes, cancellationToken);
                    break;
                default:
                    throw new DataException($"{path}: expected a JSON array of records ([{{...}}, {{...}}]) or JSON Lines, found {Article(root.ValueKind)}");
            }
            return notes;
        }
    }

    private static ReadNote NonFiniteNote(int count) =>
        new($"{count:N0} value(s) written NaN, Infinity or -Infinity (as Python's json module writes them; JSON has no such numbers) are read as missing", "write null for a missing value");

    /// <summary>The text with every NaN, Infinity and -Infinity outside strings written null; null when it has none.</summary>
    internal static byte[]? WithoutNonFinite(ReadOnlySpan<byte> bytes, out int count)
    {
        count = 0;
        var output = new List<byte>(bytes.Length);
        var inString = false;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (inString)
            {
                if (b == '\\') { output.Add(b); if (++i < bytes.Length) output.Add(bytes[i]); continue; }
                if (b == '"') inString = false;
                output.Add(b);
                continue;
            }
            if (b == '"') inString = true;
            var token = bytes[i..] switch
            {
                var rest when rest.StartsWith("NaN"u8) => 3,
                var rest when rest.StartsWith("Infinity"u8) => 8,
                var rest when rest.StartsWith("-Infinity"u8) => 9,
                _ => 0,
            };
            if (token > 0)
            {
                output.AddRange("null"u8);
                i += token - 1;
                count++;
                continue;
            }
            output.Add(b);
        }
        return count > 0 ? output.ToArray() : null;
    }

    private static void ReadRecords(JsonElement array, Records records, CancellationToken cancellationToken)
    {
        var number = 0;
        foreach (var record in array.EnumerateArray())
        {
            if (++number % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
            records.Add(record, number);
        }
    }

    /// <summary>An array whose elements are arrays (the first, and most of the rest): rows of values without names, as
    /// pandas writes <c>orient="values"</c> and spreadsheet APIs write a range.</summary>
    private static bool ArrayOfRows(JsonElement array)
    {
        int rows = 0, arrays = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (rows == 0 && element.ValueKind != JsonValueKind.Array) return false;
            rows++;
            if (element.ValueKind == JsonValueKind.Array) arrays++;
        }
        return rows > 0 && arrays * 2 > rows;
    }

    /// <summary>Rows as arrays of values: named by the first row when it holds only text, not all of it numbers (the CSV
    /// header rule), else column_1, column_2, …. A row of another length, or not an array, is quarantined.</summary>
    private static void ReadRows(JsonElement array, Records records, List<ReadNote> notes, CancellationToken cancellationToken)
    {
        var rows = array.EnumerateArray().ToList();
        var first = rows[0];
        // As a CSV file's first line: names unless every one is a number (here also: unless one is not text).
        var header = first.GetArrayLength() > 0 && first.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)
                     && !first.EnumerateArray().All(v => Values.TryNumber(v.GetString()!, out _));
        var width = first.GetArrayLength();
        string[] names = header
            ? Unique(first.EnumerateArray().Select(v => v.GetString() ?? "").ToArray())
            : Enumerable.Range(1, width).Select(k => $"column_{k}").ToArray();
        notes.Add(header
            ? new ReadNote("the file is an array of rows (arrays of values); the first row names the columns, as it holds text that is not numbers", "if it is data, add a row of names above it")
            : new ReadNote($"the file is an array of rows (arrays of values) whose first row is not names: the columns are named column_1 to column_{width}", "to name them, make the first row their names"));
        for (var i = header ? 1 : 0; i < rows.Count; i++)
        {
            if (i % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
            records.AddRow(names, rows[i], i + 1);
        }
    }

    /// <summary>A document that is one object, in the shapes tables are written in:
    /// <list type="bullet">
    /// <item>records under a key, beside others (<c>{"meta": …, "data": [{…}, …]}</c>, as APIs and pandas'
    /// <c>orient="table"</c> write them): the one key whose value is an array of records;</item>
    /// <item>pandas' <c>orient="split"</c>: <c>{"columns": […], "index": […], "data": [[…], …]}</c>;</item>
    /// <item>a column per key, as lists (<c>{"a": [1, 2], "b": [3, 4]}</c>, R's jsonlite <c>dataframe = "columns"</c>) or
    /// as objects keyed by row (<c>{"a": {"0": 1, "1": 2}, …}</c>, pandas' default <c>to_json()</c>);</item>
    /// <item>a row per key (<c>{"0": {"a": 1, "b": 3}, …}</c>, pandas' <c>orient="index"</c>).</item>
    /// </list>
    /// Row labels other than pandas' default 0, 1, 2, … are kept as a first column, <c>index</c>.</summary>
    private void ReadObject(JsonElement root, Records records, List<ReadNote> notes, CancellationToken cancellationToken)
    {
        var properties = root.EnumerateObject().ToList();
        var shape = "";
        // An array of records: its first element an object, and most of the rest (the others are quarantined).
        var keyed = properties.Where(p => p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() > 0 && p.Value[0].ValueKind == JsonValueKind.Object
                                          && p.Value.EnumerateArray().Count(r => r.ValueKind == JsonValueKind.Object) * 2 > p.Value.GetArrayLength()).ToList();
        if (root.TryGetProperty("columns", out var columns) && root.TryGetProperty("data", out var data)
            && columns.ValueKind == JsonValueKind.Array && data.ValueKind == JsonValueKind.Array
            && columns.EnumerateArray().All(c => c.ValueKind is JsonValueKind.String or JsonValueKind.Number))
        {
            var names = Unique(columns.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : c.GetRawText()).ToArray());
            var labels = root.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Array ? index.EnumerateArray().ToList() : null;
            var kept = labels is not null && labels.Count == data.GetArrayLength() && !Counting(labels.Select(Label));
            string[] all = kept ? [IndexName(names), .. names] : names;
            var number = 0;
            foreach (var row in data.EnumerateArray())
            {
                if (number % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
                records.AddRow(all, row, number + 1, kept ? labels![number] : null);
                number++;
            }
            shape = "pandas' split layout (\"columns\" and \"data\")";
            if (kept) shape += "; its \"index\" is the first column, 'index'";
        }
        else if (keyed.Count == 1)
        {
            ReadRecords(keyed[0].Value, records, cancellationToken);
            var others = properties.Where(p => p.Name != keyed[0].Name).Select(p => $"'{p.Name}'").ToList();
            shape = $"records under the key '{keyed[0].Name}'" + (others.Count > 0 ? $" (the other keys, {string.Join(", ", others.Take(6))}{(others.Count > 6 ? ", …" : "")}, are not read)" : "");
        }
        else if (keyed.Count > 1)
        {
            throw new DataException($"{path}: the object holds {keyed.Count} arrays of records ({string.Join(", ", keyed.Select(k => $"'{k.Name}'"))}), and which is the table is not known — save the one to read as a file of its own");
        }
        else if (properties.Count > 0 && properties.All(p => p.Value.ValueKind == JsonValueKind.Array)
                 && properties.Select(p => p.Value.GetArrayLength()).Distinct().Count() == 1
                 && properties.All(p => p.Value.EnumerateArray().All(v => v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))))
        {
            var rows = properties[0].Value.GetArrayLength();
            for (var row = 0; row < rows; row++) records.Numbers.Add(row + 1);
            foreach (var property in properties)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = 0;
                foreach (var value in property.Value.EnumerateArray()) records.Set(property.Name, row++, value);
            }
            shape = "a column per key, each a list of values";
        }
        else if (properties.Count > 0 && properties.All(p => p.Value.ValueKind == JsonValueKind.Object))
        {
            // A column per key with its values keyed by row, or a row per key with its fields: when every inner object
            // has the same keys, whichever side counts 0, 1, 2, … (pandas' default index) holds the rows, else the side
            // with more keys; when they differ, a row per key (records keyed by an id, fields left out where absent).
            var outer = properties.Select(p => p.Name).ToList();
            var inner = SameKeys(properties);
            var byColumn = inner is not null && (Counting(inner) || !Counting(outer) && (OneKindEach(properties) ?? inner.Count > outer.Count));
            var labels = byColumn ? inner! : outer;
            var kept = !Counting(labels);
            var index = kept ? IndexName(byColumn ? outer : properties.SelectMany(p => p.Value.EnumerateObject().Select(f => f.Name)).ToHashSet()) : null;
            if (byColumn)
            {
                for (var row = 0; row < labels.Count; row++) records.Numbers.Add(row + 1);
                if (kept)
                    for (var row = 0; row < labels.Count; row++) records.SetText(index!, row, labels[row]);
                foreach (var property in properties)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var row = 0;
                    foreach (var cell in property.Value.EnumerateObject()) records.Set(property.Name, row++, cell.Value);
                }
            }
            else
                for (var row = 0; row < properties.Count; row++)
                {
                    if (row % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
                    if (kept) records.SetText(index!, records.Numbers.Count, labels[row]);
                    records.Add(properties[row].Value, row + 1);
                }
            shape = byColumn ? "a column per key, each an object of values keyed by row (pandas' to_json)" : "a row per key, each an object of fields (pandas' orient=\"index\")";
            if (kept) shape += "; the row keys are the first column, 'index'";
        }
        else
        {
            throw new DataException($"{path}: expected a JSON array of records ([{{...}}, {{...}}]) or JSON Lines, found an object that is not a table in any layout Lathe knows "
                                    + "(records under one key; pandas' split, columns or index layouts; a list of values per key)");
        }
        notes.Add(new ReadNote($"the file is one JSON object: read as {shape}", "to read it otherwise, write it as an array of records"));
    }

    /// <summary>Whether an object of objects holds a column per key: true when each inner object's values are of one kind
    /// (numbers, or text, or yes/no) but some record across them mixes kinds, false when some inner object mixes kinds
    /// (a record's fields: a name beside an age), null when neither tells.</summary>
    private static bool? OneKindEach(List<JsonProperty> properties)
    {
        static JsonValueKind Kind(JsonValueKind kind) => kind is JsonValueKind.True or JsonValueKind.False ? JsonValueKind.True : kind;
        static bool Mixed(IEnumerable<JsonElement> values) =>
            values.Select(v => Kind(v.ValueKind)).Where(k => k is not (JsonValueKind.Null or JsonValueKind.Undefined)).Distinct().Skip(1).Any();
        var values = properties.Select(p => p.Value.EnumerateObject().Select(f => f.Value).ToArray()).ToArray();
        if (values.Any(Mixed)) return false;
        // Every inner object has the same keys (SameKeys), so the k-th values line up across them.
        return Enumerable.Range(0, values[0].Length).Any(k => Mixed(values.Select(v => v[k]))) ? true : null;
    }

    /// <summary>The inner objects' keys when every one has the same keys in the same order; else null.</summary>
    private static List<string>? SameKeys(List<JsonProperty> properties)
    {
        var keys = properties[0].Value.EnumerateObject().Select(p => p.Name).ToList();
        if (keys.Count == 0) return null;
        foreach (var property in properties.Skip(1))
        {
            var k = 0;
            foreach (var cell in property.Value.EnumerateObject())
                if (k >= keys.Count || cell.Name != keys[k++]) return null;
            if (k != keys.Count) return null;
        }
        return keys;
    }

    /// <summary>Whether row labels are pandas' default index: "0", "1", "2", … in order.</summary>
    private static bool Counting(IEnumerable<string> labels)
    {
        var k = 0;
        foreach (var label in labels)
            if (label != (k++).ToString(System.Globalization.CultureInfo.InvariantCulture)) return false;
        return true;
    }

    private static string Label(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    /// <summary>"index", or "index_1", … when a column already has that name.</summary>
    private static string IndexName(IReadOnlyCollection<string> names)
    {
        var name = "index";
        for (var k = 1; names.Contains(name); k++) name = $"index_{k}";
        return name;
    }

    /// <summary>Names made distinct: a repeat gets _2, _3, …; an empty one is column_k.</summary>
    private static string[] Unique(string[] names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var k = 0; k < names.Length; k++)
        {
            var name = names[k].Length == 0 ? $"column_{k + 1}" : names[k];
            for (var n = 2; !seen.Add(name); n++) name = $"{names[k]}_{n}";
            names[k] = name;
        }
        return names;
    }

    private static void ReadLines(byte[] bytes, Records records, CancellationToken cancellationToken)
    {
        var start = Utf8Bom.Length(bytes);
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
            try
            {
                if (WithoutNonFinite(text, out var count) is not { } mended) throw;
                using var document = JsonDocument.Parse(mended, Options);
                records.Add(document.RootElement, line);
                records.NonFinite += count;
            }
            catch (JsonException)
            {
                records.Quarantine(line, $"not valid JSON: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}", Encoding.UTF8.GetString(text));
            }
        }
    }

    /// <summary>JSON Lines when the first non-empty line is a whole object on its own and another line follows.</summary>
    private static bool LooksLikeLines(byte[] bytes)
    {
        var start = Utf8Bom.Length(bytes);
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
            using var document = JsonDocument.Parse(WithoutNonFinite(first, out _) ?? first.ToArray(), Options);
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
        /// <summary>NaN, Infinity and -Infinity read as missing.</summary>
        public int NonFinite { get; set; }
        public IReadOnlyList<ReadNote> Notes => NonFinite > 0 ? [NonFiniteNote(NonFinite)] : [];

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

        /// <summary>A row given as an array of values, named by <paramref name="names"/> (after <paramref name="label"/>,
        /// the row's label, when the first name is for it). Not an array, or of another length: quarantined.</summary>
        public void AddRow(IReadOnlyList<string> names, JsonElement values, int number, JsonElement? label = null)
        {
            var width = names.Count - (label is null ? 0 : 1);
            if (values.ValueKind != JsonValueKind.Array)
            {
                Quarantine(number, $"row is {Article(values.ValueKind)}, not an array of values", values.GetRawText());
                return;
            }
            if (values.GetArrayLength() != width)
            {
                Quarantine(number, $"expected {width} values as the columns name, found {values.GetArrayLength()}", values.GetRawText());
                return;
            }
            var row = Numbers.Count;
            var k = 0;
            if (label is { } given) Set(names[k++], row, given);
            foreach (var value in values.EnumerateArray()) Set(names[k++], row, value);
            Numbers.Add(number);
        }

        /// <summary>One value of column <paramref name="name"/>, made on first use; rows of a column come in order.</summary>
        public void Set(string name, int row, JsonElement value) => Column(name).Set(row, value);

        public void SetText(string name, int row, string text) => Column(name).SetText(row, text);

        private JsonColumn Column(string name)
        {
            if (!_columns.TryGetValue(name, out var column))
            {
                _columns[name] = column = new JsonColumn(0);
                _order.Add(name);
            }
            return column;
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

        /// <summary>A row label, kept as text whatever it looks like.</summary>
        public void SetText(int row, string text)
        {
            while (_numbers.Count < row)
            {
                _numbers.Add(double.NaN);
                _texts.Add(null);
            }
            _numbers.Add(double.NaN);
            _texts.Add(text);
            _allNumeric = false;
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
