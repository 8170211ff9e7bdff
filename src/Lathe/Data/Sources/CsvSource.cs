using System.IO.Compression;
using System.Text;
using System.Text.Unicode;
using Lathe.Config;
using Lathe.Data.Cleaning;
using Lathe.Data.Schema;

namespace Lathe.Data.Sources;

/// <summary>Reads delimited text into string columns (types are inferred later). Handles RFC 4180 quoting
/// (delimiters, doubled quotes and line breaks inside quotes), CRLF or LF, gzip, UTF-8 with or without a
/// byte-order mark, UTF-16 and Latin-1; detects the delimiter (, tab ; |) and whether the first row is a
/// header. A malformed record (wrong field count, broken or unclosed quoting, invalid UTF-8) is never
/// dropped silently: its first line goes to <see cref="Table.Quarantined"/> and reading resumes on the
/// next line, so one stray quote cannot swallow the rest of the file.</summary>
public sealed class CsvSource(string path, char? delimiter = null, TextEncoding encoding = TextEncoding.Auto, double quarantineLimit = 0.01) : IDataSource
{
    private const string InvalidUtf8 = "invalid UTF-8 bytes";

    public string Name => path;

    public IReadOnlyList<string> Files => [path];

    public Table Read(CancellationToken cancellationToken = default)
    {
        var bytes = LoadBytes();
        var (text, start) = Decode(bytes, encoding);
        var table = Parse(text, start, cancellationToken);
        // Without a declared encoding, a file with more undecodable lines than the limit allows is not
        // a UTF-8 file with a few damaged lines: it is Latin-1 (Windows Western European).
        var invalid = table.Quarantined.Count(q => q.Reason == InvalidUtf8);
        if (encoding == TextEncoding.Auto && invalid > 0 && invalid > quarantineLimit * (table.RowCount + table.Quarantined.Count))
            table = Parse(Encoding.UTF8.GetBytes(Encoding.Latin1.GetString(bytes)), 0, cancellationToken);
        return table;
    }

    private byte[] LoadBytes()
    {
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return File.ReadAllBytes(path);
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        try
        {
            gzip.CopyTo(memory);
        }
        catch (InvalidDataException e)
        {
            throw new DataException($"{path}: corrupt gzip data: {e.Message}");
        }
        return memory.ToArray();
    }

    /// <summary>The text as UTF-8 bytes, and where the content starts (after a byte-order mark).</summary>
    private static (byte[] Utf8, int Start) Decode(byte[] bytes, TextEncoding encoding)
    {
        var utf16 = bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF));
        if (encoding == TextEncoding.Utf16 || (encoding == TextEncoding.Auto && utf16))
        {
            var bigEndian = bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF;
            var decoder = bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode;
            var skip = utf16 ? 2 : 0;
            return (Encoding.UTF8.GetBytes(decoder.GetString(bytes, skip, bytes.Length - skip)), 0);
        }
        if (encoding == TextEncoding.Latin1) return (Encoding.UTF8.GetBytes(Encoding.Latin1.GetString(bytes)), 0);
        var bom = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        return (bytes, bom);
    }

    private Table Parse(byte[] text, int start, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var separator = (byte)(delimiter ?? Sniff(text, start));
        var reader = new RecordReader(text, start, separator);
        var fields = new List<Field>();
        if (!reader.Next(fields, out var headerError, out _, out _))
            throw new DataException($"{path}: the file is empty — it needs a header row and data rows");
        if (headerError is not null)
            throw new DataException($"{path} line 1: the header row is malformed ({headerError})");

        var first = fields.Select(f => reader.Text(f) ?? "").ToArray();
        var hasHeader = !first.All(f => Values.TryNumber(f, out _));
        var header = hasHeader
            ? first.Select((h, i) => h.Trim().Length == 0 ? $"column_{i + 1}" : h.Trim()).ToArray()
            : first.Select((_, i) => $"column_{i + 1}").ToArray();

        var columns = header.Select(_ => new List<string?>()).ToArray();
        var lines = new List<int>();
        var quarantined = new List<QuarantinedRow>();
        if (!hasHeader)
        {
            for (var c = 0; c < first.Length; c++) columns[c].Add(first[c]);
            lines.Add(1);
        }
        var values = new string?[header.Length];
        while (reader.Next(fields, out var error, out var line, out var recordStart))
        {
            if (lines.Count % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
            if (error is null && fields.Count == 1 && fields[0].Start == fields[0].End) continue;
            if (error is null && fields.Count != header.Length)
                error = $"expected {header.Length} fields as in the header, found {fields.Count}";
            for (var c = 0; error is null && c < fields.Count; c++)
                if ((values[c] = reader.Text(fields[c])) is null) error = InvalidUtf8;
            if (error is not null)
            {
                // A record that fails after running past its first line was started by a stray quote there.
                if (reader.SpansLines && error != InvalidUtf8)
                    error = "a quote opened on this line is never closed properly, so the line cannot be split into fields";
                quarantined.Add(new QuarantinedRow(line, error, reader.RawLine(recordStart)));
                reader.ResumeAfterLine(recordStart, line);
                continue;
            }
            for (var c = 0; c < header.Length; c++) columns[c].Add(values[c]);
            lines.Add(line);
        }
        return new Table(header.Select((h, c) => (Column)new StringColumn(h, columns[c].ToArray())).ToArray(), name, lines.ToArray(), quarantined,
            directory: Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>The delimiter that splits the first lines into the same, largest number of fields.</summary>
    private static char Sniff(byte[] text, int start)
    {
        char[] candidates = [',', '\t', ';', '|'];
        var lines = new List<int[]>();
        var counts = new int[candidates.Length];
        var quoted = false;
        for (var i = start; i < text.Length && lines.Count < 50; i++)
        {
            var b = text[i];
            if (b == '"') quoted = !quoted;
            else if (!quoted && b == '\n')
            {
                lines.Add(counts);
                counts = new int[candidates.Length];
            }
            else if (!quoted)
                for (var k = 0; k < candidates.Length; k++)
                    if (b == candidates[k]) counts[k]++;
        }
        if (counts.Any(c => c > 0)) lines.Add(counts);
        if (lines.Count == 0) return ',';
        var best = 0;
        var bestScore = -1.0;
        for (var k = 0; k < candidates.Length; k++)
        {
            var header = lines[0][k];
            if (header == 0) continue;
            var score = lines.Count(l => l[k] == header) + header / 1000.0;
            if (score > bestScore) (best, bestScore) = (k, score);
        }
        return candidates[best];
    }

    private readonly record struct Field(int Start, int End, bool Quoted, bool Escapes);

    /// <summary>Splits UTF-8 bytes into records of fields without copying; only ASCII bytes (delimiter,
    /// quote, line breaks) are structural, so multi-byte characters pass through untouched.</summary>
    private sealed class RecordReader(byte[] text, int start, byte delimiter)
    {
        private int _position = start;
        private int _line = 1;

        /// <summary>Whether the last record's quoted fields crossed a line break.</summary>
        public bool SpansLines { get; private set; }

        /// <returns>False at the end of the text. <paramref name="error"/> says why a record is malformed.</returns>
        public bool Next(List<Field> fields, out string? error, out int line, out int recordStart)
        {
            fields.Clear();
            SpansLines = false;
            error = null;
            line = _line;
            recordStart = _position;
            if (_position >= text.Length) return false;
            var fieldStart = _position;
            while (true)
            {
                if (_position >= text.Length)
                {
                    fields.Add(new Field(fieldStart, _position, false, false));
                    return true;
                }
                if (text[_position] == '"' && _position == fieldStart)
                {
                    var contentStart = ++_position;
                    var escapes = false;
                    while (true)
                    {
                        if (_position >= text.Length)
                        {
                            error = "a quoted field is never closed";
                            return true;
                        }
                        var b = text[_position];
                        if (b == '"')
                        {
                            if (_position + 1 < text.Length && text[_position + 1] == '"')
                            {
                                escapes = true;
                                _position += 2;
                                continue;
                            }
                            break;
                        }
                        if (b == '\n')
                        {
                            _line++;
                            SpansLines = true;
                        }
                        _position++;
                    }
                    fields.Add(new Field(contentStart, _position, true, escapes));
                    _position++;
                    while (_position < text.Length && text[_position] == ' ') _position++;
                    if (_position >= text.Length) return true;
                    if (text[_position] == delimiter)
                    {
                        fieldStart = ++_position;
                        if (_position >= text.Length)
                        {
                            fields.Add(new Field(_position, _position, false, false));
                            return true;
                        }
                        continue;
                    }
                    if (text[_position] is (byte)'\n' or (byte)'\r')
                    {
                        EndLine();
                        return true;
                    }
                    error = "text after a closing quote";
                    return true;
                }
                var end = _position;
                while (end < text.Length && text[end] != delimiter && text[end] != '\n' && text[end] != '\r') end++;
                fields.Add(new Field(fieldStart, end, false, false));
                _position = end;
                if (_position >= text.Length) return true;
                if (text[_position] == delimiter)
                {
                    fieldStart = ++_position;
                    continue;
                }
                EndLine();
                return true;
            }
        }

        /// <summary>After a malformed record, continue on the line after the one it started on.</summary>
        public void ResumeAfterLine(int recordStart, int line)
        {
            var end = Array.IndexOf(text, (byte)'\n', recordStart);
            _position = end < 0 ? text.Length : end + 1;
            _line = line + 1;
        }

        /// <summary>The physical line a record started on, as text (invalid bytes shown as U+FFFD).</summary>
        public string RawLine(int recordStart)
        {
            var end = Array.IndexOf(text, (byte)'\n', recordStart);
            if (end < 0) end = text.Length;
            return Encoding.UTF8.GetString(text, recordStart, end - recordStart).TrimEnd('\r');
        }

        /// <summary>A field's text, or null when its bytes are not valid UTF-8.</summary>
        public string? Text(Field field)
        {
            var bytes = text.AsSpan(field.Start, field.End - field.Start);
            if (!Utf8.IsValid(bytes)) return null;
            var value = Encoding.UTF8.GetString(bytes);
            if (field.Escapes) value = value.Replace("\"\"", "\"");
            return field.Quoted ? value : value.Trim();
        }

        private void EndLine()
        {
            if (text[_position] == '\r' && _position + 1 < text.Length && text[_position + 1] == '\n') _position++;
            _position++;
            _line++;
        }
    }
}
