using System.IO.Compression;
using System.Text;

namespace Lathe.Data.Sources;

/// <summary>Reads delimited text (RFC 4180 quoting, quoted line breaks, CRLF or LF, UTF-8 with or
/// without BOM, gzip) into string columns; types are inferred later. The first row is the header.</summary>
public sealed class CsvSource(string path, char delimiter) : IDataSource
{
    public IReadOnlyList<string> Files => [path];

    public Table Read(CancellationToken cancellationToken = default)
    {
        using var stream = OpenText(path);
        var header = ReadRecord(stream, out _);
        if (header is null) throw new DataException($"{path}: the file is empty — it needs a header row and data rows");
        for (var i = 0; i < header.Count; i++)
        {
            header[i] = header[i].Trim();
            if (header[i].Length == 0) header[i] = $"column_{i + 1}";
        }

        var fields = header.Select(_ => new List<string?>()).ToArray();
        var lines = new List<int>();
        var line = 2;
        while (ReadRecord(stream, out var linesRead) is { } record)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!(record.Count == 1 && record[0].Length == 0))
            {
                if (record.Count != header.Count)
                    throw new DataException($"{path} line {line}: expected {header.Count} fields as in the header, found {record.Count} — check the quoting and delimiters on that line");
                for (var c = 0; c < record.Count; c++) fields[c].Add(record[c]);
                lines.Add(line);
            }
            line += linesRead;
        }
        var columns = header.Select((name, c) => (Column)new StringColumn(name, fields[c].ToArray())).ToArray();
        return new Table(columns, Path.GetFileName(path), lines.ToArray());
    }

    private static StreamReader OpenText(string path)
    {
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionMode.Decompress);
        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    /// <summary>One record, or null at the end. Quoted fields may hold delimiters, quotes ("") and line breaks.</summary>
    private List<string>? ReadRecord(StreamReader reader, out int linesRead)
    {
        linesRead = 0;
        if (reader.Peek() < 0) return null;
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
            {
                if (quoted) throw new DataException($"{path}: a quoted field opened near the end of the file is never closed");
                record.Add(Finish(field, wasQuoted));
                linesRead++;
                return record;
            }
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') linesRead++;
                    field.Append((char)c);
                }
            }
            else if (c == '"' && field.Length == 0 && !wasQuoted)
            {
                quoted = wasQuoted = true;
            }
            else if (c == delimiter)
            {
                record.Add(Finish(field, wasQuoted));
                wasQuoted = false;
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && reader.Peek() == '\n') reader.Read();
                record.Add(Finish(field, wasQuoted));
                linesRead++;
                return record;
            }
            else
            {
                field.Append((char)c);
            }
        }
    }

    private static string Finish(StringBuilder field, bool quoted)
    {
        var text = quoted ? field.ToString() : field.ToString().Trim();
        field.Clear();
        return text;
    }
}
