using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Unicode;
using Lathe.Config;
using Lathe.Data.Cleaning;
using Lathe.Data.Schema;

namespace Lathe.Data.Sources;

/// <summary>Reads delimited text into columns: a column whose every value is a number (or missing) is read
/// as numbers straight from the bytes, any other as text (typed later by schema inference). Handles RFC 4180 quoting
/// (delimiters, doubled quotes and line breaks inside quotes), CRLF or LF, gzip, UTF-8 with or without a
/// byte-order mark, UTF-16 and Latin-1; finds what <see cref="CsvLayout"/> leaves at auto: the delimiter (, tab ;
/// | or runs of white space), a preamble above the header, whether the first row is a header, and the decimal mark.
/// A malformed record (wrong field count, broken or unclosed quoting, invalid UTF-8) is never dropped silently: its
/// first line goes to <see cref="Table.Quarantined"/> and reading resumes on the next line, so one stray quote cannot
/// swallow the rest of the file.</summary>
public sealed class CsvSource(string path, CsvLayout? layout = null, TextEncoding encoding = TextEncoding.Auto, double quarantineLimit = 0.01) : IDataSource
{
    private const string InvalidUtf8 = "invalid UTF-8 bytes";
    private readonly CsvLayout _layout = layout ?? CsvLayout.Detect;
    private readonly Dialect? _dialect = CsvLayout.TryParseDelimiter((layout ?? CsvLayout.Detect).Delimiter, out var d, out var error)
        ? d is { } given ? new Dialect(given.Byte, given.Whitespace) : null
        : throw new DataException($"{path}: {error}");

    public string Name => path;

    public IReadOnlyList<string> Files => [path];

    /// <summary>Text to read instead of the file's bytes (UTF-8, no byte-order mark): a spreadsheet's sheet written as
    /// CSV by <see cref="ExcelSource"/>, which still names <c>path</c> in every message.</summary>
    internal byte[]? Content { get; init; }

    /// <summary>What a row is called in its name (<see cref="Table.RowName"/>): a line of a file, a row of a sheet.</summary>
    internal string RowUnit { get; init; } = "line";

    /// <summary>What the source decided before the text was read, said first among the table's notes.</summary>
    internal IReadOnlyList<ReadNote> SourceNotes { get; init; } = [];

    public Table Read(CancellationToken cancellationToken = default)
    {
        var bytes = LoadBytes();
        RequireText(bytes.AsSpan(0, Math.Min(bytes.Length, TextCheckBytes)));
        var (text, start) = Decode(bytes, encoding);
        var table = Parse(text, start, cancellationToken);
        // Without a declared encoding, a file with more undecodable lines than the limit allows is not
        // a UTF-8 file with a few damaged lines: it is Latin-1 (Windows Western European).
        var invalid = table.Quarantined.Count(q => q.Reason == InvalidUtf8);
        if (encoding == TextEncoding.Auto && invalid > 0 && invalid > quarantineLimit * (table.RowCount + table.Quarantined.Count))
            table = Parse(Encoding.UTF8.GetBytes(Encoding.Latin1.GetString(bytes)), 0, cancellationToken);
        return table;
    }

    /// <summary>The buffer a streamed file is read through; it grows only for a record longer than it.</summary>
    public const int StreamBufferBytes = 16 << 20;

    public IEnumerable<Table> ReadBatches(int rows, CancellationToken cancellationToken = default) => ReadBatches(rows, StreamBufferBytes, cancellationToken);

    /// <summary>The file through a buffer of <paramref name="bufferBytes"/>, parsed by the same reader as
    /// <see cref="Read"/>; a batch never spans two fillings of the buffer, so it may hold fewer than
    /// <paramref name="rows"/> rows. Without a declared encoding, Latin-1 is chosen from the first batch
    /// (<see cref="Read"/> chooses from the whole file).</summary>
    public IEnumerable<Table> ReadBatches(int rows, int bufferBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var head = new byte[TextCheckBytes];
        using (var peek = OpenBytes()) RequireText(head.AsSpan(0, ReadHead(peek, head)));
        var first = true;
        foreach (var batch in Stream(rows, bufferBytes, encoding == TextEncoding.Latin1, cancellationToken))
        {
            if (first && encoding == TextEncoding.Auto)
            {
                var invalid = batch.Quarantined.Count(q => q.Reason == InvalidUtf8);
                if (invalid > 0 && invalid > quarantineLimit * (batch.RowCount + batch.Quarantined.Count)) break;
            }
            first = false;
            yield return batch;
        }
        if (first)
            foreach (var batch in Stream(rows, bufferBytes, latin1: true, cancellationToken))
                yield return batch;
    }

    private IEnumerable<Table> Stream(int rows, int bufferBytes, bool latin1, CancellationToken cancellationToken)
    {
        using var stream = OpenUtf8(latin1);
        var buffer = new byte[Math.Max(bufferBytes, 16)];
        int position = 0, filled = 0;
        var eof = false;

        // Keeps [position, filled), moved to the front, and reads more after it; the buffer doubles when one record fills it.
        void Fill()
        {
            if (position == 0 && filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            else if (position > 0)
            {
                Buffer.BlockCopy(buffer, position, buffer, 0, filled - position);
                filled -= position;
                position = 0;
            }
            try
            {
                while (filled < buffer.Length)
                {
                    var read = stream.Read(buffer, filled, buffer.Length - filled);
                    if (read == 0)
                    {
                        eof = true;
                        return;
                    }
                    filled += read;
                }
            }
            catch (InvalidDataException e)
            {
                throw CompressedFile.Corrupt(path, e);
            }
        }

        Fill();
        var name = Path.GetFileName(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        Front front;
        while (true)
        {
            front = ReadFront(buffer, 0, filled);
            if (eof || front.HeaderEnd < filled) break;
            Fill();
        }
        var (dialect, header, line) = (front.Dialect, front.Header, front.BodyLine);
        position = front.Body;
        var notes = front.Notes;
        var (rowsRead, lastRowLine) = (0L, 0);

        while (position < filled || !eof)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var valid = Utf8.IsValid(buffer.AsSpan(position, filled - position));
            var chunk = ReadChunk(buffer, position, filled, filled, line, dialect, header, valid, cancellationToken, rows, eof);
            (position, line) = (chunk.End, chunk.NextLine);
            if (chunk.Lines.Count > 0) (rowsRead, lastRowLine) = (rowsRead + chunk.Lines.Count, chunk.Lines[^1]);
            // The file's last records: notes below the table come out of the quarantine.
            ReadNote? footer = null;
            var quarantined = WithoutComments(chunk.Quarantined, RowUnit, out var comments);
            if (eof && position >= filled) quarantined = WithoutFooter(quarantined, lastRowLine, rowsRead, header.Length, dialect, RowUnit, out footer);
            if (chunk.Lines.Count > 0 || quarantined.Count > 0 || footer is not null || comments is not null)
            {
                var columns = header.Select((h, c) => CsvColumn.Join(h, [chunk.Columns[c]], chunk.Lines.Count)).ToArray();
                // The notes go with the first batch, which is what a reader of the layout looks at; a footer's with the last.
                yield return new Table(columns, name, chunk.Lines.ToArray(), quarantined, RowUnit, directory)
                {
                    Notes = [.. notes, .. NumberNames(front, columns), .. comments is null ? [] : new[] { comments }, .. footer is null ? [] : new[] { footer }],
                    Found = Found(front.Dialect),
                };
                notes = [];
                front = front with { Named = false };
            }
            if (chunk.Lines.Count < rows && !eof) Fill();
        }
    }

    /// <summary>The file as a stream of UTF-8 bytes without a byte-order mark: unzipped, and transcoded from UTF-16 or Latin-1.</summary>
    private Stream OpenUtf8(bool latin1)
    {
        var head = new byte[3];
        int count;
        using (var peek = OpenBytes()) count = ReadHead(peek, head);
        var stream = OpenBytes();
        var utf16 = count >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF));
        if (encoding == TextEncoding.Utf16 || (encoding == TextEncoding.Auto && utf16))
        {
            var bigEndian = count >= 2 && head[0] == 0xFE && head[1] == 0xFF;
            if (utf16) ReadHead(stream, new byte[2]);
            return Encoding.CreateTranscodingStream(stream, bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode, Encoding.UTF8);
        }
        if (latin1) return Encoding.CreateTranscodingStream(stream, Encoding.Latin1, Encoding.UTF8);
        if (count == 3 && Utf8Bom.Length(head) == 3) ReadHead(stream, head);
        return stream;
    }

    /// <summary>How much of a file's start is looked at for bytes no text has.</summary>
    private const int TextCheckBytes = 1 << 16;

    /// <summary>Refuses a file that is not text: one whose first bytes are another format's signature (a ZIP archive, a
    /// SQLite database, Parquet, gzip, a PDF …), named as what it is, or with a NUL byte, which no text file holds, in
    /// <paramref name="head"/> (the file's start, unzipped). Text in UTF-16 is read where a byte-order mark or
    /// <c>data.encoding</c> says so; without either, its NULs are said to be UTF-16's.</summary>
    private void RequireText(ReadOnlySpan<byte> head)
    {
        if (encoding == TextEncoding.Utf16 || head.Length >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF)) return;
        var what = head.StartsWith("PK\u0003\u0004"u8) ? "a ZIP archive (an .xlsx workbook is one: name it .xlsx; a zipped file, name it with .zip at the end, and Lathe reads the file it holds)"
            : head.StartsWith("SQLite format 3\0"u8) ? "a SQLite database (name it .db, or set data.format: sqlite)"
            : head.StartsWith("PAR1"u8) ? "a Parquet file (name it .parquet, or set data.format: parquet)"
            : head.StartsWith("ARROW1"u8) ? "an Arrow file (name it .arrow, or set data.format: arrow)"
            : head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]) ? "gzip-compressed (name it with .gz at the end, and Lathe unzips it)"
            : head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0]) ? "an Excel 97–2003 workbook or another Office file (name it .xls)"
            : head.StartsWith("%PDF"u8) ? "a PDF document, whose tables Lathe does not read"
            : head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']) ? "a PNG image"
            : null;
        if (what is not null) throw new DataException($"{path}: this is not delimited text but {what}");
        var nul = head.IndexOf((byte)0);
        if (nul < 0) return;
        // ASCII written as UTF-16 without a byte-order mark: every other byte a NUL.
        var pairs = head.Length / 2;
        var (even, odd) = (0, 0);
        for (var i = 0; i < pairs * 2; i += 2)
        {
            if (head[i] == 0) even++;
            if (head[i + 1] == 0) odd++;
        }
        throw new DataException(pairs >= 2 && (odd >= pairs * 0.4 || even >= pairs * 0.4)
            ? $"{path}: this reads as UTF-16 text without a byte-order mark (every other byte a NUL) — set data.encoding: utf16"
            : $"{path}: this is not delimited text but binary data — byte {nul + 1} is a NUL, which no text file holds");
    }

    private Stream OpenBytes() => Content is { } content ? new MemoryStream(content, writable: false) : CompressedFile.Open(path);

    private int ReadHead(Stream stream, byte[] head)
    {
        try
        {
            return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw CompressedFile.Corrupt(path, e);
        }
    }

    private byte[] LoadBytes() => Content ?? CompressedFile.ReadAllBytes(path);

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
        return (bytes, Utf8Bom.Length(bytes));
    }

    private Table Parse(byte[] text, int start, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var front = ReadFront(text, start, text.Length);
        var (body, bodyLine, header) = (front.Body, front.BodyLine, front.Header);
        // Most files are valid UTF-8 throughout: one check of the whole text spares a check per field.
        var valid = Utf8.IsValid(text.AsSpan(body));
        var chunks = ReadChunks(text, body, bodyLine, front.Dialect, header, valid, cancellationToken);
        // Line numbers of a later chunk were counted from its own start.
        var offsets = new int[chunks.Length];
        for (var k = 1; k < chunks.Length; k++) offsets[k] = offsets[k - 1] + chunks[k - 1].NextLine - 1;
        var lines = new int[chunks.Sum(c => c.Lines.Count)];
        var at = 0;
        for (var k = 0; k < chunks.Length; k++)
            foreach (var l in chunks[k].Lines) lines[at++] = l + offsets[k];
        var quarantined = WithoutFooter(WithoutComments(chunks.SelectMany((c, k) => c.Quarantined.Select(q => q with { Line = q.Line + offsets[k] })).ToList(), RowUnit, out var comments),
            lines.Length > 0 ? lines[^1] : 0, lines.Length, header.Length, front.Dialect, RowUnit, out var footer);
        var columns = header.Select((h, c) => CsvColumn.Join(h, chunks.Select(chunk => chunk.Columns[c]).ToArray(), lines.Length)).ToArray();
        return new Table(columns, name, lines, quarantined, RowUnit, Path.GetDirectoryName(Path.GetFullPath(path)))
        {
            Notes = [.. front.Notes, .. NumberNames(front, columns), .. comments is null ? [] : new[] { comments }, .. footer is null ? [] : new[] { footer }],
            Found = Found(front.Dialect),
        };
    }

    /// <summary>The decimal mark and date order the file was read with, as a layout (<see cref="Table.Found"/>).</summary>
    private static CsvLayout Found(Dialect dialect) => CsvLayout.Detect with
    {
        Decimal = dialect.DecimalComma ? DecimalMark.Comma : DecimalMark.Point,
        Dates = dialect.DayFirst ? DateOrder.DayFirst : DateOrder.MonthFirst,
    };

    /// <summary>A value as this reader gives it from a file written with <paramref name="found"/>'s decimal mark and
    /// date order: a number with a decimal comma ("1.234,5") as "1234.5", a date written day first ("31/12/2024") as
    /// its ISO date; anything else as it is. What a served request's text goes through, so that a model trained on such
    /// a file reads a request written the same way as it read the file.</summary>
    public static string AsRead(string value, CsvLayout found)
    {
        var comma = found.Decimal == DecimalMark.Comma;
        var dayFirst = found.Dates == DateOrder.DayFirst;
        if (!comma && !dayFirst || value.Length is 0 or > SlashDateLength * 4) return value;
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        return Rewritten(bytes[..Encoding.UTF8.GetBytes(value, bytes)].Trim((byte)' '), comma, dayFirst) ?? value;
    }

    /// <summary>A trimmed field written with a decimal comma or day first, as the rest of Lathe reads numbers and dates
    /// (invariant, ISO); null when it is neither.</summary>
    private static string? Rewritten(ReadOnlySpan<byte> trimmed, bool decimalComma, bool dayFirst)
    {
        if (decimalComma && CommaNumber(trimmed, [], out var length))
        {
            Span<byte> invariant = stackalloc byte[length];
            CommaNumber(trimmed, invariant, out _);
            return Encoding.ASCII.GetString(invariant);
        }
        if (dayFirst)
        {
            Span<byte> iso = stackalloc byte[SlashDateLength];
            if (SlashDate(trimmed, iso, dayFirst: true, out var written, out _, out _)) return Encoding.ASCII.GetString(iso[..written]);
        }
        return null;
    }

    /// <summary>How the fields are written: what splits them (<see cref="Whitespace"/>: runs of spaces and tabs, none at
    /// either end of a line), whether numbers carry a decimal comma ("1.234,5"), and whether dates with slashes put the
    /// day first ("31/12/2024").</summary>
    private readonly record struct Dialect(byte Delimiter, bool Whitespace, bool DecimalComma = false, bool DayFirst = false, bool Comments = false);

    /// <summary>The top of the file: what splits its fields, the column names, where the data starts (its first
    /// record, and that record's line), where the header ends, whether the header named the columns (under
    /// <see cref="HeaderRow.Auto"/>), and what the reader decided that a user should know.</summary>
    private sealed record Front(Dialect Dialect, string[] Header, int Body, int BodyLine, int HeaderEnd, int HeaderLine, bool Named, List<ReadNote> Notes);

    private Front ReadFront(byte[] text, int start, int end)
    {
        var notes = new List<ReadNote>(SourceNotes);
        // Excel's first line "sep=;" names the delimiter; it is not part of the table.
        var directive = SeparatorLine(text, start, end);
        var dialect = _dialect ?? (directive is { } given ? new Dialect(given.Delimiter, false) : Sniff(text, start, end));
        var reader = new RecordReader(text, start, dialect, 1, end);
        // A mostly empty line right above the header, skipped, which may group the columns under it.
        Shape? groups = null;
        if (_layout.SkipRows is { } skip)
        {
            for (var k = 0; k < skip && reader.Position < end; k++) reader.ResumeAfterLine(reader.Position, reader.Line);
        }
        else
        {
            if (directive is { } separator)
            {
                reader.ResumeAt(separator.Next, 2);
                notes.Add(new ReadNote($"line 1 ('sep={(char)separator.Delimiter}') names the delimiter, as Excel writes it, and is not read as data",
                    _dialect is null ? "data.delimiter overrides it" : $"data.delimiter ('{_layout.Delimiter}') is used instead"));
            }
            if (Preamble(text, reader.Position, end, dialect, reader.Line, out var headerShape) is { Count: > 0 } preamble)
            {
                reader.ResumeAt(headerShape.Start, headerShape.Line);
                if (preamble[^1] is { Group: true } above) groups = above;
                // A file with comment lines above its table may have more within it: those are skipped too.
                if (preamble.Any(p => p.Comment)) dialect = dialect with { Comments = true };
                // Blank lines above the header go without a word; a line with something on it is named.
                if (preamble.FirstOrDefault(p => !p.Blank) is { Why.Length: > 0 } first)
                {
                    var lines = headerShape.Line - first.Line == 1 ? $"line {first.Line}" : $"lines {first.Line}–{headerShape.Line - 1}";
                    var shown = reader.RawLine(first.Start);
                    if (shown.Length > 60) shown = shown[..57] + "...";
                    notes.Add(new ReadNote($"{lines} ('{shown}') skipped as a preamble above the header: {first.Why}",
                        $"if line {first.Line} is the header, set data.skip_rows: {first.Line - 1}"));
                }
            }
        }
        var (body, bodyLine) = (reader.Position, reader.Line);
        var fields = new List<Field>();
        if (!reader.Next(fields, out var headerError, out var headerLine, out _))
            throw new DataException(bodyLine == 1
                ? $"{path}: the file is empty — it needs a header row and data rows"
                : $"{path}: nothing is left after the {bodyLine - 1} line(s) skipped above the header — check data.skip_rows");
        if (headerError is not null)
            throw new DataException($"{path} line {headerLine}: the header row is malformed ({headerError})");
        var names = fields.Select(f => reader.IsValid(f) ? reader.Text(f) : "").ToArray();
        var named = _layout.Header switch
        {
            HeaderRow.True => true,
            HeaderRow.False => false,
            _ => !names.All(f => Values.TryNumber(f, out _)),
        };
        var header = named
            ? names.Select((h, i) => h.Trim().Length == 0 ? $"column_{i + 1}" : h.Trim()).ToArray()
            : names.Select((_, i) => $"column_{i + 1}").ToArray();
        // Some statistics packages write every name in single quotes ('popul'): quoting, not part of the names.
        if (named && header.Length > 0 && header.All(h => h.Length >= 3 && h[0] == '\'' && h[^1] == '\''))
        {
            notes.Add(new ReadNote($"the header (line {headerLine}) writes every name in single quotes ({header[0]}), so they are read without them",
                "if the quotes belong to the names, rename the columns in the file"));
            header = header.Select(h => h[1..^1].Trim() is { Length: > 0 } name ? name : h).ToArray();
        }
        // A report's header may repeat names under a line that groups them (years over quarters; merged cells, written
        // as a value then empty fields): a repeated name is read with its group's.
        if (named && groups is { } groupLine && header.Distinct(StringComparer.Ordinal).Count() < header.Length
            && Grouped(text, groupLine, dialect, end, header) is { } grouped)
        {
            var renamed = header.Select((h, c) => (h, grouped[c])).Where(p => p.h != p.Item2).Select(p => $"'{p.Item2}'").ToArray();
            notes.Add(new ReadNote($"the names the header (line {headerLine}) repeats are read with the group above them on line {groupLine.Line}: {string.Join(", ", renamed.Take(4))}{(renamed.Length > 4 ? $", … {renamed[^1]}" : "")}",
                "to name them otherwise, rename the columns in the file"));
            header = grouped;
        }
        // Without a header the first line is data: it is read again as a record.
        var data = named ? (reader.Position, reader.Line) : (body, bodyLine);
        var sample = Sample(text, data.Item1, end, dialect);
        // A first line that reads as one more row of the table is data, as the UCI repository writes its files.
        var rowLike = named && _layout.Header == HeaderRow.Auto ? RowLike(names, text, sample) : null;
        if (rowLike is not null)
        {
            named = false;
            header = names.Select((_, i) => $"column_{i + 1}").ToArray();
            data = (body, bodyLine);
            sample = Sample(text, data.Item1, end, dialect);
            notes.Add(new ReadNote($"line {headerLine} reads as one more row of the table ({rowLike}), so it is read as data and the columns are named column_1 to column_{header.Length}",
                $"if line {headerLine} names the columns, set data.header: true"));
        }
        // R's write.csv and write.table name every column but the row names: the rows have one field more.
        if (named && _layout.Header == HeaderRow.Auto && AgreedWidth(sample) is var width && width >= 3 && header.Length == width - 1)
        {
            header = [RowNames, .. header];
            notes.Add(new ReadNote($"the header (line {headerLine}) names one column fewer than its rows have, as R writes a table with row names: the first column is read as '{RowNames}'",
                "if the rows have a field too many instead, mend the file"));
        }
        // An instrument's or a spreadsheet's export may name each column's unit on the line under the header.
        if (named && _layout.Header == HeaderRow.Auto && header.Length == AgreedWidth(sample) && UnitRows(text, sample) is var units and > 0)
        {
            var skipper = new RecordReader(text, data.Item1, dialect, data.Item2, end);
            var (first, firstStart, last) = (0, 0, 0);
            var labels = Array.Empty<string>();
            for (var k = 0; k < units && skipper.Next(fields, out _, out var line, out var at);)
            {
                if (fields.Count == 1 && fields[0].Start == fields[0].End && !fields[0].Quoted) continue;
                if (k++ == 0) (first, firstStart, labels) = (line, at, fields.Select(f => skipper.IsValid(f) ? skipper.Text(f).Trim() : "").ToArray());
                last = line;
            }
            var shown = skipper.RawLine(firstStart);
            if (shown.Length > 60) shown = shown[..57] + "...";
            // A header that leaves names out after a name ("Region,2019,,2020,") groups the columns, as merged cells are
            // written, and the line under it names them within their groups (",Q1,Q2,Q1,Q2").
            if (SubHeader(names, labels) is { } labelled)
            {
                var renamed = labelled.Where((n, c) => n != header[c]).Select(n => $"'{n}'").ToArray();
                notes.Add(new ReadNote(
                    $"line {headerLine} groups the columns (a name, then empty fields, as merged cells are written) and line {first} ('{shown}') names them within their groups: {string.Join(", ", renamed.Take(4))}{(renamed.Length > 4 ? $", … {renamed[^1]}" : "")}",
                    "to name them otherwise, rename the columns in the file"));
                header = labelled;
            }
            else
                notes.Add(new ReadNote(
                    $"{(units == 1 ? $"line {first} ('{shown}') under the header holds" : $"lines {first}–{last} ('{shown}', …) under the header hold")} text where every column of numbers below holds numbers, as units or labels do: not read as data",
                    $"if {(units == 1 ? "it is" : "they are")} data, set data.header: true"));
            data = (skipper.Position, skipper.Line);
            sample = Sample(text, data.Item1, end, dialect);
        }
        if (!named && _layout.Header == HeaderRow.Auto && rowLike is null)
            notes.Add(new ReadNote($"line {headerLine} holds only numbers, so it is read as data and the columns are named column_1 to column_{header.Length}",
                $"if line {headerLine} names the columns, set data.header: true"));
        var comma = _layout.Decimal == DecimalMark.Comma;
        if (_layout.Decimal == DecimalMark.Auto && DecimalCommas(text, sample, dialect, out var example))
        {
            comma = true;
            notes.Add(new ReadNote($"numbers are written with a decimal comma ('{example}'), so commas mark decimals and points group thousands",
                "if they do not, set data.decimal: point"));
        }
        var dayFirst = _layout.Dates == DateOrder.DayFirst;
        if (_layout.Dates == DateOrder.Auto && DayFirstDates(text, sample, comma, (data.Item1, end, dialect), out var date, out var why))
        {
            dayFirst = true;
            notes.Add(new ReadNote($"dates are written day first ('{date}': {why}), so they are read as such", "if the month comes first, set data.dates: month_first"));
        }
        return new Front(dialect with { DecimalComma = comma, DayFirst = dayFirst }, header, data.Item1, data.Item2, reader.Position, headerLine, named && _layout.Header == HeaderRow.Auto, notes);
    }

    /// <summary>The first 64 records from <paramref name="from"/> that the reader can split and that are not blank, each
    /// as its fields: what the width, the decimal mark and the date order are found from.</summary>
    private static List<Field[]> Sample(byte[] text, int from, int end, Dialect dialect)
    {
        var reader = new RecordReader(text, from, dialect, 1, end);
        var fields = new List<Field>();
        var sample = new List<Field[]>();
        while (sample.Count < 64 && reader.Next(fields, out var error, out var line, out var start))
        {
            if (error is not null) reader.ResumeAfterLine(start, line);
            else if (!(fields.Count == 1 && fields[0].Start == fields[0].End && !fields[0].Quoted)) sample.Add(fields.ToArray());
        }
        return sample;
    }

    /// <summary>The number of fields nine in ten of the sampled records have, or 0 when they do not agree.</summary>
    private static int AgreedWidth(List<Field[]> sample)
    {
        if (sample.Count < 2) return 0;
        var (width, agreeing) = sample.GroupBy(r => r.Length).Select(g => (g.Key, g.Count())).MaxBy(g => g.Item2);
        return agreeing >= 0.9 * sample.Count ? width : 0;
    }

    /// <summary>The <paramref name="header"/> with each name it repeats prefixed by its group on the <paramref name="line"/>
    /// above: that line's last value at or before the column ("2019" over Q1–Q4, then "2020"). Null where that leaves names
    /// repeated still, or a repeated name has no group.</summary>
    private static string[]? Grouped(byte[] text, Shape line, Dialect dialect, int end, string[] header)
    {
        var reader = new RecordReader(text, line.Start, dialect, line.Line, end);
        var fields = new List<Field>();
        if (!reader.Next(fields, out var error, out _, out _) || error is not null) return null;
        var repeated = header.GroupBy(h => h, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var grouped = new string[header.Length];
        var group = "";
        for (var c = 0; c < header.Length; c++)
        {
            if (c < fields.Count && reader.Text(fields[c]).Trim() is { Length: > 0 } value) group = value;
            if (!repeated.Contains(header[c])) grouped[c] = header[c];
            else if (group.Length == 0) return null;
            else grouped[c] = $"{group} {header[c]}";
        }
        return grouped.Distinct(StringComparer.Ordinal).Count() == grouped.Length ? grouped : null;
    }

    /// <summary>The names of columns a header groups (<paramref name="names"/> as written: a name, then empty fields for the
    /// columns it spans, "2019,,2020,") and the line under it labels within their groups (<paramref name="labels"/>,
    /// "Q1,Q2,Q1,Q2"): each column's group, the header's last name at or before it, then its label ("2019 Q2"); a column
    /// with no label keeps its name, one before any group its label. Null where the header leaves no name out after a
    /// name, a column it leaves out has no label, no label repeats under two groups (as quarters or measures repeat under
    /// years: labels that never repeat are a line of names under a line of something else, such as counts), or the
    /// names would repeat.</summary>
    private static string[]? SubHeader(string[] names, string[] labels)
    {
        if (labels.Length != names.Length) return null;
        var written = names.Select(n => n.Trim()).ToArray();
        var spans = false;
        var grouped = new string[written.Length];
        var group = "";
        // Each label's first group: a label seen under another group repeats.
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var repeats = false;
        for (var c = 0; c < written.Length; c++)
        {
            if (written[c].Length > 0) group = written[c];
            else if (labels[c].Length == 0) return null;
            else if (group.Length > 0) spans = true;
            grouped[c] = labels[c].Length == 0 ? group : group.Length == 0 ? labels[c] : $"{group} {labels[c]}";
            if (labels[c].Length > 0 && group.Length > 0 && !seen.TryAdd(labels[c], group)) repeats |= seen[labels[c]] != group;
        }
        return spans && repeats && grouped.Distinct(StringComparer.Ordinal).Count() == grouped.Length ? grouped : null;
    }

    /// <summary>Why a first line <paramref name="names"/> reads as one more of the <paramref name="sample"/>d rows below it,
    /// or null when it may name the columns: as wide as the rows, and each field empty, a number over a column of
    /// numbers, a date over a column of dates, or a value its column holds below — with at least one number or date, and
    /// at least two fields so read.</summary>
    private static string? RowLike(string[] names, byte[] text, List<Field[]> sample)
    {
        if (sample.Count < 3 || AgreedWidth(sample) is not (var width and > 1) || names.Length != width) return null;
        var rows = sample.Where(r => r.Length == width).ToArray();
        var (numbers, dates, seen) = (0, 0, new List<string>());
        for (var c = 0; c < width; c++)
        {
            var name = names[c].Trim();
            if (Values.IsMissing(name)) continue;
            var values = ColumnValues(text, rows, c);
            if (values.Length == 0) return null;
            if (values.All(IsNumber) || values.All(v => !IsNumber(v) && Values.TryDate(v, out _)))
            {
                if (IsNumber(values[0]) ? !IsNumber(name) : IsNumber(name) || !Values.TryDate(name, out _)) return null;
                if (IsNumber(name)) numbers++;
                else dates++;
            }
            else if (values.Contains(name, StringComparer.Ordinal)) seen.Add(name);
            else return null;
        }
        if (numbers + dates == 0 || numbers + dates + seen.Count < 2) return null;
        var typed = numbers > 0 && dates > 0 ? "numbers and dates over columns of them" : numbers > 0 ? "numbers over columns of numbers" : "a date over a column of dates";
        return seen.Count == 0 ? typed
            : $"{typed}, and {string.Join(", ", seen.Take(3).Select(v => $"'{v}'"))} among {(seen.Count == 1 ? "its column's" : "their columns'")} values below";
    }

    /// <summary>Column <paramref name="column"/>'s values in the sampled <paramref name="rows"/> that are not missing, as text.</summary>
    private static string[] ColumnValues(byte[] text, IEnumerable<Field[]> rows, int column) =>
        rows.Select(r => FieldText(text, r[column])).Where(v => !Values.IsMissing(v)).ToArray();

    /// <summary>A sampled field's text, trimmed (a quoted field's, without its quotes).</summary>
    private static string FieldText(byte[] text, Field field) => Encoding.UTF8.GetString(text, field.Start, field.End - field.Start).Trim();

    /// <summary>A number as written in a file, with a decimal point or a decimal comma.</summary>
    private static bool IsNumber(string value) => Values.TryNumber(value, out _) || CommaNumber(Encoding.UTF8.GetBytes(value), [], out _);

    /// <summary>How many of the records right under the header name units or labels rather than hold data ("mm,°C,m/s"
    /// under "precipitation,temp_max,wind"; an instrument's export may add a line of how each was sampled): up to three,
    /// each as wide as the rows, with no number and with a word or a unit's sign in at least two of the columns that
    /// hold only numbers in the sampled rows below them, and in at least half of those.</summary>
    private static int UnitRows(byte[] text, List<Field[]> sample)
    {
        const int most = 3;
        if (sample.Count < most + 5 || AgreedWidth(sample) is not (var width and > 1)) return 0;
        var below = sample.Skip(most).Where(r => r.Length == width).ToArray();
        var numeric = Enumerable.Range(0, width).Where(c => ColumnValues(text, below, c) is { Length: >= 3 } values && values.All(IsNumber)).ToArray();
        if (numeric.Length < 2) return 0;
        var units = 0;
        while (units < most && sample[units].Length == width)
        {
            var (words, numbers) = (0, 0);
            foreach (var c in numeric)
            {
                var value = FieldText(text, sample[units][c]);
                if (Values.IsMissing(value)) continue;
                if (IsNumber(value)) numbers++;
                else if (value.Any(ch => char.IsLetter(ch) || ch is '%' or '°' or '$' or '€' or '£' or 'µ')) words++;
            }
            if (numbers > 0 || words < 2 || words * 2 < numeric.Length) break;
            units++;
        }
        return units;
    }

    /// <summary>Whether the sampled numbers have decimal commas ("1,5", "1.234,56") and none a decimal point ("1.5";
    /// "1.234" could be a thousand either way), in a file whose fields are not split by commas.</summary>
    private static bool DecimalCommas(byte[] text, List<Field[]> sample, Dialect dialect, out string example)
    {
        example = "";
        if (dialect is { Delimiter: (byte)',', Whitespace: false }) return false;
        var (commas, points) = (0, 0);
        foreach (var fields in sample)
        {
            foreach (var field in fields)
            {
                var bytes = text.AsSpan(field.Start, field.End - field.Start).Trim((byte)' ');
                if (CommaNumber(bytes, [], out _) && bytes.Contains((byte)','))
                {
                    if (commas++ == 0) example = Encoding.UTF8.GetString(bytes);
                }
                else if (PointDecimals(bytes)) points++;
            }
        }
        return commas > 0 && points == 0;

        // Digits, a point and digits that are not a group of three: a decimal point.
        static bool PointDecimals(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length > 0 && bytes[0] is (byte)'-' or (byte)'+') bytes = bytes[1..];
            var point = bytes.IndexOf((byte)'.');
            return point > 0 && bytes.LastIndexOf((byte)'.') == point && point < bytes.Length - 1
                   && !bytes[..point].ContainsAnyExcept("0123456789"u8) && !bytes[(point + 1)..].ContainsAnyExcept("0123456789"u8)
                   && !(bytes.Length - point - 1 == 3 && point <= 3);
        }
    }

    /// <summary>Whether the sampled dates with slashes ("31/12/2024") put the day first: where the numbers have decimal
    /// commas (every locale that writes those writes the day first), or where a date's first part passes 12 and no
    /// date's second part does. When the sample's dates leave it open, the date columns of up to
    /// <see cref="MoreDateRecords"/> records below it are read for a part past 12.</summary>
    private static bool DayFirstDates(byte[] text, List<Field[]> sample, bool decimalComma, (int From, int End, Dialect Dialect) body, out string example, out string why)
    {
        (example, why) = ("", "");
        var (dates, dayFirst, monthFirst) = (0, 0, 0);
        Span<byte> iso = stackalloc byte[SlashDateLength];
        var columns = new HashSet<int>();
        foreach (var fields in sample)
        {
            for (var c = 0; c < fields.Length; c++)
                if (Look(fields[c], ref example, iso)) columns.Add(c);
        }
        // Dates of one day to the next twelve leave the order open in the sample (hourly readings from the 1st, many
        // rows a day): the records below it are read on, in the date columns alone, until a part past 12 settles it.
        if (dates > 0 && dayFirst == 0 && monthFirst == 0)
        {
            var reader = new RecordReader(text, body.From, body.Dialect, 1, body.End);
            var record = new List<Field>();
            for (var k = 0; k < MoreDateRecords && dayFirst == 0 && monthFirst == 0 && reader.Next(record, out var error, out var line, out var start); k++)
            {
                if (error is not null) reader.ResumeAfterLine(start, line);
                else foreach (var c in columns) if (c < record.Count) Look(record[c], ref example, iso);
            }
        }
        if (dates == 0 || monthFirst > 0) return false;
        why = dayFirst > 0 ? "a first part past 12" : "the numbers' decimal commas";
        return dayFirst > 0 || decimalComma;

        bool Look(Field field, ref string example, Span<byte> iso)
        {
            var bytes = text.AsSpan(field.Start, field.End - field.Start).Trim((byte)' ');
            if (SlashDate(bytes, iso, dayFirst: true, out _, out var first, out var second) is false && first == 0) return false;
            if (dates++ == 0 || first > 12 && dayFirst == 0) example = Encoding.UTF8.GetString(bytes);
            if (first > 12) dayFirst++;
            if (second > 12) monthFirst++;
            return true;
        }
    }

    /// <summary>How many records past the sample are read for the order of slash dates the sample left open.</summary>
    private const int MoreDateRecords = 100_000;

    /// <summary>The longest ISO form a slash date becomes: "yyyy-MM-dd HH:mm:ss".</summary>
    private const int SlashDateLength = 19;

    /// <summary>A date written "d/M/yyyy" (or "M/d/yyyy"), optionally followed by " H:mm" or " H:mm:ss": its two
    /// leading parts, and, read with the day first when <paramref name="dayFirst"/>, its ISO form in
    /// <paramref name="iso"/> ("yyyy-MM-dd HH:mm:ss"). False with zero parts when the text is not of that shape; false
    /// with the parts when it is, but is no date read that way (a 13th month, 31 February).</summary>
    private static bool SlashDate(ReadOnlySpan<byte> bytes, Span<byte> iso, bool dayFirst, out int length, out int first, out int second)
    {
        (length, first, second) = (0, 0, 0);
        var at = 0;
        if (!Part(bytes, ref at, 1, 2, out var a) || at >= bytes.Length || bytes[at++] != '/'
            || !Part(bytes, ref at, 1, 2, out var b) || at >= bytes.Length || bytes[at++] != '/'
            || !Part(bytes, ref at, 4, 4, out var year)) return false;
        int hour = 0, minute = 0, second2 = 0;
        var time = at < bytes.Length;
        var seconds = false;
        if (time && (bytes[at++] != ' ' || !Part(bytes, ref at, 1, 2, out hour) || at >= bytes.Length || bytes[at++] != ':' || !Part(bytes, ref at, 2, 2, out minute)
                     || at < bytes.Length && (seconds = true) && (bytes[at++] != ':' || !Part(bytes, ref at, 2, 2, out second2) || at != bytes.Length))) return false;
        (first, second) = (a, b);
        var (day, month) = dayFirst ? (a, b) : (b, a);
        if (month is < 1 or > 12 || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second2 > 59) return false;
        length = time ? seconds ? 19 : 16 : 10;
        if (iso.Length < length) return true;
        Write(iso, 0, year, 4);
        iso[4] = (byte)'-';
        Write(iso, 5, month, 2);
        iso[7] = (byte)'-';
        Write(iso, 8, day, 2);
        if (!time) return true;
        iso[10] = (byte)' ';
        Write(iso, 11, hour, 2);
        iso[13] = (byte)':';
        Write(iso, 14, minute, 2);
        if (seconds)
        {
            iso[16] = (byte)':';
            Write(iso, 17, second2, 2);
        }
        return true;

        static bool Part(ReadOnlySpan<byte> bytes, ref int at, int least, int most, out int value)
        {
            value = 0;
            var from = at;
            while (at < bytes.Length && at - from < most && (uint)(bytes[at] - '0') <= 9) value = value * 10 + bytes[at++] - '0';
            return at - from >= least && (at >= bytes.Length || (uint)(bytes[at] - '0') > 9);
        }

        static void Write(Span<byte> into, int at, int value, int digits)
        {
            for (var k = digits - 1; k >= 0; k--, value /= 10) into[at + k] = (byte)('0' + value % 10);
        }
    }

    /// <summary>A number written with a decimal comma and points between groups of three ("-1.234,5", "0,25", "1.234"),
    /// and as it is written with a decimal point, in <paramref name="invariant"/> when that is long enough
    /// (<paramref name="length"/> says how long it needs to be).</summary>
    private static bool CommaNumber(ReadOnlySpan<byte> bytes, Span<byte> invariant, out int length)
    {
        length = 0;
        var at = 0;
        if (bytes.Length > 0 && bytes[0] is (byte)'-' or (byte)'+')
        {
            if (bytes[0] == '-') Put((byte)'-', invariant, ref length);
            at = 1;
        }
        int digits = 0, group = 0, groups = 0;
        var comma = false;
        for (; at < bytes.Length; at++)
        {
            var b = bytes[at];
            if ((uint)(b - '0') <= 9)
            {
                digits++;
                group++;
                Put(b, invariant, ref length);
                continue;
            }
            if (b == '.' && !comma)
            {
                // A point groups thousands: one to three digits before the first, three after each.
                if (groups == 0 ? group is 0 or > 3 : group != 3) return false;
                groups++;
                group = 0;
                continue;
            }
            if (b == ',' && !comma && group > 0 && (groups == 0 || group == 3))
            {
                comma = true;
                groups = groups == 0 ? 0 : -1;
                group = 0;
                Put((byte)'.', invariant, ref length);
                continue;
            }
            return false;
        }
        if (groups > 0 && group != 3) return false;
        return digits > 0 && group > 0 && (comma || groups > 0);

        static void Put(byte b, Span<byte> into, ref int at)
        {
            if (at < into.Length) into[at] = b;
            at++;
        }
    }

    /// <summary>The name given to the unnamed first column of a table written with R's row names.</summary>
    public const string RowNames = "row_name";

    /// <summary>Excel's directive "sep=;" on the first line: the delimiter it names, and where the next line starts.</summary>
    private static (byte Delimiter, int Next)? SeparatorLine(byte[] text, int start, int end)
    {
        var line = text.AsSpan(start, Math.Min(end - start, 8));
        if (line.Length < 5 || !line[..4].SequenceEqual("sep="u8) || line[4] is (byte)'\n' or (byte)'\r' or (byte)'"' or > 127) return null;
        var after = line[5..];
        var length = after.StartsWith("\r\n"u8) ? 2 : after.Length > 0 && after[0] is (byte)'\n' or (byte)'\r' ? 1 : after.Length == 0 ? 0 : -1;
        return length < 0 ? null : (line[4], start + 5 + length);
    }

    /// <summary>A header found under <see cref="HeaderRow.Auto"/> that names columns of numbers with numbers, beside
    /// other names (all numbers would have made it data): line 1 of scikit-learn's iris.csv, "150,4,setosa,versicolor,virginica",
    /// is a count of rows and features, then the class names. Such a line may be data, or a preamble.</summary>
    private static IEnumerable<ReadNote> NumberNames(Front front, Column[] columns)
    {
        if (!front.Named) yield break;
        var numbered = columns.Where(c => c is NumericColumn && Values.TryNumber(c.Name, out var v) && !double.IsNaN(v)).Select(c => $"'{c.Name}'").ToArray();
        if (numbered.Length == 0) yield break;
        var line = front.HeaderLine;
        yield return new ReadNote(
            $"the header (line {line}) names {(numbered.Length == 1 ? "a column" : $"{numbered.Length} columns")} of numbers with {(numbered.Length == 1 ? "a number" : "numbers")} ({string.Join(", ", numbered.Take(4))}{(numbered.Length > 4 ? ", ..." : "")}), as a data row or a line of counts would",
            $"if line {line} is data, set data.header: false; if it is a preamble, also data.skip_rows: {line}");
    }

    /// <summary>A record at the top of the file as the preamble search sees it.</summary>
    private readonly record struct Shape(int Line, int Start, int Fields, int Empty, int Numbers, bool Blank, bool Malformed)
    {
        public string Why { get; init; } = "";
        public bool Comment { get; init; }
        /// <summary>A mostly empty line above a line of names: it may group the columns under it.</summary>
        public bool Group { get; init; }
    }

    /// <summary>The records above the header that are not part of the table, found from the first 64: blank lines;
    /// a line with at most half the fields of the lines below, where at least nine in ten of those agree on three
    /// or more (a title, "569,30,malignant,benign"); and a line as wide as the table but mostly empty, above one that
    /// names every column in words and lines of data (scikit-learn's boston_house_prices.csv: "506,13,,,,…"). At most
    /// 20; none when the file is too short to tell.</summary>
    /// <param name="header">The record after the preamble, where the header is read.</param>
    /// <param name="firstLine">The line <paramref name="start"/> is on.</param>
    private static List<Shape> Preamble(byte[] text, int start, int end, Dialect dialect, int firstLine, out Shape header)
    {
        header = default;
        var reader = new RecordReader(text, start, dialect, firstLine, end);
        var fields = new List<Field>();
        var shapes = new List<Shape>();
        while (shapes.Count < 64 && reader.Next(fields, out var error, out var line, out var recordStart))
        {
            if (error is not null)
            {
                reader.ResumeAfterLine(recordStart, line);
                shapes.Add(new Shape(line, recordStart, 0, 0, 0, false, true));
                continue;
            }
            int empty = 0, numbers = 0;
            foreach (var field in fields)
            {
                if (field.End == field.Start || reader.Text(field).Length == 0) empty++;
                else if (reader.IsValid(field) && reader.TryNumber(field, out var value) && !double.IsNaN(value)) numbers++;
            }
            var blank = fields.Count == 1 && empty == 1 && !fields[0].Quoted;
            shapes.Add(new Shape(line, recordStart, fields.Count, empty, numbers, blank, false));
        }
        var below = shapes.Skip(1).Where(s => !s.Blank && !s.Malformed).ToArray();
        if (below.Length < 2) return [];
        var (width, agreeing) = below.GroupBy(s => s.Fields).Select(g => (g.Key, g.Count())).MaxBy(g => g.Item2);
        var agreed = width >= 3 && agreeing >= 0.9 * below.Length;
        var preamble = new List<Shape>();
        for (var k = 0; k < Math.Min(shapes.Count - 2, 20); k++)
        {
            var shape = shapes[k];
            if (shape.Blank) preamble.Add(shape with { Why = "it is blank" });
            // R's read.table skips lines from '#' as comments; a header may still begin with '#' as a name ("#,Name"; VCF's "#CHROM").
            else if (Comment(text.AsSpan(shape.Start, Math.Min(2, end - shape.Start))))
                preamble.Add(shape with { Why = "it starts with '# ' or '##', as a comment (such lines within the table are skipped too)", Comment = true });
            else if (shape.Malformed) break;
            else if (agreed && shape.Fields <= width / 2)
                preamble.Add(shape with { Why = $"it has {shape.Fields} field{(shape.Fields == 1 ? "" : "s")} where the lines below have {width}" });
            // A logger's file header (Campbell Scientific's TOA5: format, station, logger, serial number, program …) is
            // wider than the table under it; a header with a field too many is above data, not above a line of names.
            else if (agreed && shape.Fields > width && shapes[k + 1] is { Blank: false, Malformed: false, Empty: 0, Numbers: 0 } named && named.Fields == width)
                preamble.Add(shape with { Why = $"it has {shape.Fields} fields where the lines below have {width}, and line {named.Line} names every column" });
            // The same line over a table as wide as it (eight columns) or a little wider (nine to fifteen), which neither
            // rule above takes: known by the format it names first.
            else if (k == 0 && agreed && LoggerFormat(text.AsSpan(shape.Start, Math.Min(16, end - shape.Start))) is { } format
                     && shapes[1] is { Blank: false, Malformed: false, Empty: 0, Numbers: 0 } names1 && names1.Fields == width)
                preamble.Add(shape with { Why = $"it names the file's format first ({format}, a Campbell Scientific logger's), and line {names1.Line} names every column" });
            else if (shape.Fields == width && width >= 2 && 2 * shape.Empty > shape.Fields
                     && shapes[k + 1] is { Blank: false, Malformed: false, Empty: 0, Numbers: 0 } names && names.Fields == width
                     && shapes[k + 2].Numbers > 0)
                preamble.Add(shape with { Why = $"most of its fields are empty, and line {names.Line} names every column", Group = true });
            else break;
        }
        if (preamble.Count > 0) header = shapes[preamble.Count];
        return preamble;
    }

    /// <summary>The format a logger's file header names in its first field ("TOA5" or "TOACI1", quoted or not, then a
    /// delimiter or the line's end), or null.</summary>
    private static string? LoggerFormat(ReadOnlySpan<byte> start)
    {
        if (start.Length > 0 && start[0] == '"') start = start[1..];
        var format = start.StartsWith("TOA5"u8) ? "TOA5" : start.StartsWith("TOACI1"u8) ? "TOACI1" : null;
        return format is not null && start.Length > format.Length
               && start[format.Length] is (byte)'"' or (byte)',' or (byte)'\t' or (byte)';' or (byte)'\r' or (byte)'\n' ? format : null;
    }

    /// <summary>Whether a line starting with <paramref name="start"/> is a comment: '#' then a space, a tab or another '#'
    /// (or nothing), not '#' as the first column's name.</summary>
    private static bool Comment(ReadOnlySpan<byte> start) =>
        start.Length > 0 && start[0] == '#' && (start.Length == 1 || start[1] is (byte)' ' or (byte)'\t' or (byte)'#' or (byte)'\r' or (byte)'\n');

    /// <summary>How a record with the wrong number of fields is quarantined, up to the number it has.</summary>
    private static string WrongWidth(int width) => $"expected {width} fields as in the header";

    /// <summary><paramref name="quarantined"/> less the notes below the table, with a note saying so: the records after the
    /// table's last row (on line <paramref name="lastRowLine"/>) when every one reads as a note (<see cref="IsNote"/>: "Source:
    /// Statistics Office" under a table of three columns, as statistics offices' exports end) — at most 20 of them, under a
    /// table of at least twice as many rows. They are not rows of the table either way; as notes they do not count
    /// against <c>data.quarantine_limit</c>, which a few lines of notes under a small table would pass.</summary>
    private static List<QuarantinedRow> WithoutFooter(List<QuarantinedRow> quarantined, int lastRowLine, long rows, int width, Dialect dialect, string unit, out ReadNote? note)
    {
        note = null;
        var below = quarantined.FindIndex(q => q.Line > lastRowLine);
        if (below < 0) return quarantined;
        var footer = quarantined[below..];
        if (footer.Count > 20 || rows < 2 * footer.Count || !footer.All(q => IsNote(q, width, dialect))) return quarantined;
        var (first, last) = (footer[0].Line, footer[^1].Line);
        var raw = footer[0].Raw is ['"', .. var inner, '"'] && !inner.Contains('"') ? inner : footer[0].Raw;
        var shown = raw.Length > 60 ? raw[..60] + "…" : raw;
        var one = footer.Count == 1;
        note = new ReadNote(
            $"{(one ? $"{unit} {first}" : $"{unit}s {first}–{last}")} ('{shown}'{(one ? "" : ", …")}) below the table {(one ? "is a note" : "are notes")}, not {(one ? "a row" : "rows")}: " +
            $"{(one ? "it does" : "they do")} not have the header's {width} fields, and {(one ? "is" : "are")} skipped",
            $"if {(one ? "it is a row" : "they are rows")} of the table, mend the file");
        return quarantined[..below];
    }

    /// <summary><paramref name="quarantined"/> less the records that start as comments do ('# ', '##': <see cref="Comment"/>),
    /// with a note saying so: a remark a person or logger wrote between the rows ("# sensor reset"), which does not have
    /// the header's fields. They are not rows, and do not count against <c>data.quarantine_limit</c>. (With comment lines
    /// above the header, the reader skips them before they are records at all.)</summary>
    private static List<QuarantinedRow> WithoutComments(List<QuarantinedRow> quarantined, string unit, out ReadNote? note)
    {
        note = null;
        var comments = quarantined.Where(q => Comment(Encoding.UTF8.GetBytes(q.Raw[..Math.Min(2, q.Raw.Length)]))).ToArray();
        if (comments.Length == 0) return quarantined;
        var shown = comments[0].Raw.Length > 60 ? comments[0].Raw[..60] + "…" : comments[0].Raw;
        var lines = string.Join(", ", comments.Take(5).Select(c => c.Line)) + (comments.Length > 5 ? $", … ({comments.Length} in all)" : "");
        var one = comments.Length == 1;
        note = new ReadNote(
            $"{(one ? $"{unit} {lines}" : $"{unit}s {lines}")} ('{shown}'{(one ? "" : ", …")}) within the table {(one ? "starts" : "start")} with '# ' or '##', as a comment, and {(one ? "does" : "do")} not have the header's fields: skipped, not {(one ? "a row" : "rows")}",
            $"if {(one ? "it is a row" : "they are rows")} of the table, mend the file");
        return quarantined.Except(comments).ToList();
    }

    /// <summary>Whether a record set aside reads as a note: fewer fields than the header's, the first of them words rather
    /// than a number or a date ("Source: NOAA", not a last row cut short, "2015-12-31,0.0").</summary>
    private static bool IsNote(QuarantinedRow row, int width, Dialect dialect)
    {
        var prefix = WrongWidth(width) + ", found ";
        if (!row.Reason.StartsWith(prefix, StringComparison.Ordinal) || !int.TryParse(row.Reason.AsSpan(prefix.Length), CultureInfo.InvariantCulture, out var found) || found >= width)
            return false;
        var first = (dialect.Whitespace ? row.Raw.TrimStart().Split([' ', '\t'])[0] : row.Raw.Split((char)dialect.Delimiter)[0]).Trim().Trim('"');
        return first.Length > 0 && !Values.TryNumber(first, out _) && !Values.TryDate(first, out _);
    }

    /// <summary>Bodies larger than this are read as two halves at once.</summary>
    private const int ParallelAbove = 8 << 20;

    /// <summary>The records from <paramref name="body"/> to the end, in one chunk or two. A large body is split at
    /// a line break and both halves are read at once; the split holds only if the first half's last record ends
    /// exactly there (a quoted field can hold line breaks), otherwise the body is read again in one piece.</summary>
    private static Chunk[] ReadChunks(byte[] text, int body, int line, Dialect dialect, string[] header, bool valid, CancellationToken cancellationToken)
    {
        var split = text.Length - body > ParallelAbove && Environment.ProcessorCount > 1
            ? Array.IndexOf(text, (byte)'\n', body + (text.Length - body) / 2) + 1
            : 0;
        if (split <= body) return [ReadChunk(text, body, text.Length, text.Length, line, dialect, header, valid, cancellationToken)];
        var second = Task.Run(() => ReadChunk(text, split, text.Length, text.Length, 1, dialect, header, valid, cancellationToken), cancellationToken);
        var first = ReadChunk(text, body, split, text.Length, line, dialect, header, valid, cancellationToken);
        var rest = second.GetAwaiter().GetResult();
        return first.End == split ? [first, rest] : [ReadChunk(text, body, text.Length, text.Length, line, dialect, header, valid, cancellationToken)];
    }

    /// <summary>Reads records starting at <paramref name="from"/> (on line <paramref name="line"/>) until one ends at or past
    /// <paramref name="to"/>, or <paramref name="maxRows"/> are read.</summary>
    /// <param name="end">Where the text ends: its length, or how far a streamed buffer is filled.</param>
    /// <param name="valid">The whole text is valid UTF-8, so fields need no check of their own.</param>
    /// <param name="final">The file ends at <paramref name="end"/>. When it does not, a record that reaches
    /// <paramref name="end"/> may be cut short: the chunk stops before it, to be read again from a refilled buffer.</param>
    private static Chunk ReadChunk(byte[] text, int from, int to, int end, int line, Dialect dialect, string[] header, bool valid, CancellationToken cancellationToken,
        int maxRows = int.MaxValue, bool final = true)
    {
        var reader = new RecordReader(text, from, dialect, line, end);
        var capacity = Math.Min(reader.EstimateRecords(to), maxRows);
        var starts = new List<int>(capacity);
        var columns = header.Select((_, c) => new CsvColumn(reader, starts, c, capacity)).ToArray();
        var lines = new List<int>(capacity);
        var quarantined = new List<QuarantinedRow>();
        var fields = new List<Field>();
        while (reader.Position < to && lines.Count < maxRows && reader.Next(fields, out var error, out var recordLine, out var recordStart))
        {
            if (lines.Count % 65536 == 0) cancellationToken.ThrowIfCancellationRequested();
            if (!final && reader.Position >= end)
            {
                reader.ResumeAt(recordStart, recordLine);
                break;
            }
            // A blank line is skipped; "" on its own is a record of one empty field (a lone column's missing value).
            if (error is null && fields.Count == 1 && fields[0].Start == fields[0].End && !fields[0].Quoted) continue;
            // In a file with comment lines above its table, so is a comment line within it (a quote in it opens nothing).
            if (dialect.Comments && Comment(text.AsSpan(recordStart, Math.Min(2, end - recordStart))))
            {
                reader.ResumeAfterLine(recordStart, recordLine);
                continue;
            }
            if (error is null && fields.Count != header.Length)
                error = $"{WrongWidth(header.Length)}, found {fields.Count}";
            for (var c = 0; !valid && error is null && c < fields.Count; c++)
                if (!reader.IsValid(fields[c])) error = InvalidUtf8;
            if (error is not null)
            {
                // A record that fails after running past its first line was started by a stray quote there.
                if (reader.SpansLines && error != InvalidUtf8)
                    error = "a quote opened on this line is never closed properly, so the line cannot be split into fields";
                reader.ResumeAfterLine(recordStart, recordLine);
                if (!final && reader.Position >= end)
                {
                    reader.ResumeAt(recordStart, recordLine);
                    break;
                }
                quarantined.Add(new QuarantinedRow(recordLine, error, reader.RawLine(recordStart)));
                continue;
            }
            for (var c = 0; c < header.Length; c++) columns[c].Add(fields[c]);
            lines.Add(recordLine);
            starts.Add(recordStart);
        }
        return new Chunk(columns, lines, quarantined, reader.Position, reader.Line);
    }

    /// <summary>Records read from one stretch of the text: where it ended, and the line after it.</summary>
    private sealed record Chunk(CsvColumn[] Columns, List<int> Lines, List<QuarantinedRow> Quarantined, int End, int NextLine);

    /// <summary>One column of a chunk as it is read: numbers while every value is a number or missing (parsed
    /// from the bytes), text from the first value that is not — the values before it read again, as written,
    /// from the records' starts. Short repeated values (categories) share one string.</summary>
    private sealed class CsvColumn
    {
        private const int MaxSharedLength = 64;
        private const int MaxShared = 10_000;
        private readonly RecordReader _reader;
        private readonly List<int> _starts;
        private readonly int _index;
        private List<double>? _numbers;
        private List<string?>? _texts;
        private readonly Dictionary<string, string> _shared = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly char[] _buffer = new char[MaxSharedLength];

        /// <param name="starts">Where each record read so far starts, kept by the chunk.</param>
        /// <param name="index">This column's place in a record.</param>
        public CsvColumn(RecordReader reader, List<int> starts, int index, int capacity)
        {
            _reader = reader;
            _starts = starts;
            _index = index;
            _numbers = new List<double>(capacity);
            _lookup = _shared.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public void Add(Field field)
        {
            if (_numbers is not null)
            {
                if (_reader.TryNumber(field, out var number))
                {
                    _numbers.Add(number);
                    return;
                }
                BecomeText();
            }
            _texts!.Add(Text(field));
        }

        /// <summary>Not a number after all: the column is text, including the values read so far, as they were written.</summary>
        private void BecomeText()
        {
            if (_texts is not null) return;
            _texts = new List<string?>(Math.Max(_numbers!.Capacity, _numbers.Count * 2));
            var fields = new List<Field>();
            foreach (var start in _starts.Take(_numbers.Count)) _texts.Add(Text(_reader.FieldAt(start, _index, fields)));
            _numbers = null;
        }

        /// <summary>The whole column from its chunks: numbers if every chunk read numbers, else text.</summary>
        public static Column Join(string name, CsvColumn[] parts, int rows)
        {
            if (parts.All(p => p._numbers is not null))
            {
                var numbers = new double[rows];
                var at = 0;
                foreach (var part in parts)
                {
                    System.Runtime.InteropServices.CollectionsMarshal.AsSpan(part._numbers).CopyTo(numbers.AsSpan(at));
                    at += part._numbers!.Count;
                }
                return new NumericColumn(name, numbers);
            }
            var texts = new string?[rows];
            var next = 0;
            foreach (var part in parts)
            {
                part.BecomeText();
                part._texts!.CopyTo(texts, next);
                next += part._texts.Count;
            }
            return new StringColumn(name, texts);
        }

        /// <summary>A field's text; short values repeated (categories) share one string, looked up without allocating.</summary>
        private string Text(Field field)
        {
            if (_shared.Count >= MaxShared) return _reader.Text(field);
            var key = _reader.Chars(field, _buffer);
            if (key.IsEmpty && field.End - field.Start > 0) return _reader.Text(field);
            if (_lookup.TryGetValue(key, out var existing)) return existing;
            var value = key.ToString();
            _shared[value] = value;
            return value;
        }
    }

    /// <summary>What splits the first 50 lines: the delimiter (, tab ; |) on the first line that splits the most lines
    /// into as many fields as it splits that one, if nine lines in ten; else one that splits nine in ten of the lines
    /// below the first alike (the first is then a title); else runs of spaces and tabs, where the first line has no
    /// , ; or | and they split it and nine in ten of the lines below into the same two or more fields; else the
    /// first line's best delimiter, or a comma: a file of one column.</summary>
    private static Dialect Sniff(byte[] text, int start, int end)
    {
        char[] candidates = [',', '\t', ';', '|'];
        var lines = new List<int[]>();
        // Per line: each candidate's count, then the number of runs of white space between words (quotes aside).
        var counts = new int[candidates.Length + 1];
        bool quoted = false, word = false, gap = false, blank = true;
        var blanks = new List<bool>();
        void EndLine()
        {
            lines.Add(counts);
            blanks.Add(blank);
            counts = new int[candidates.Length + 1];
            (word, gap, blank) = (false, false, true);
        }
        for (var i = start; i < end && lines.Count < 50; i++)
        {
            var b = text[i];
            if (!quoted && b == '\n')
            {
                EndLine();
                continue;
            }
            if (b == '"') quoted = !quoted;
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r')
            {
                if (!quoted && word) gap = true;
            }
            else
            {
                blank = false;
                if (gap) counts[^1]++;
                (word, gap) = (true, false);
            }
            if (!quoted)
                for (var k = 0; k < candidates.Length; k++)
                    if (b == candidates[k]) counts[k]++;
        }
        if (!blank) EndLine();
        if (lines.Count == 0) return new Dialect((byte)',', false);
        var best = -1;
        var bestScore = -1.0;
        for (var k = 0; k < candidates.Length; k++)
        {
            var header = lines[0][k];
            if (header == 0) continue;
            var score = lines.Count(l => l[k] == header) + header / 1000.0;
            if (score > bestScore) (best, bestScore) = (k, score);
        }
        if (best >= 0 && bestScore >= 0.9 * lines.Count) return new Dialect((byte)candidates[best], false);
        // The first line may be a title: the lines below it decide, blank ones aside.
        var below = Enumerable.Range(1, lines.Count - 1).Where(l => !blanks[l]).Select(l => lines[l]).ToArray();
        // The share of those lines that one count (other than none) of column k agrees on, and that count.
        (double Share, int Count) Agreement(int k)
        {
            var (share, count) = (0.0, 0);
            foreach (var group in below.Select(l => l[k]).Where(c => c > 0).GroupBy(c => c))
                if ((double)group.Count() / below.Length is var s && (s > share || s == share && group.Key > count)) (share, count) = (s, group.Key);
            return (share, count);
        }
        var agreed = Enumerable.Range(0, candidates.Length).Select(k => (Column: k, Agreement: Agreement(k))).Where(a => a.Agreement.Share >= 0.9).ToArray();
        if (agreed.Length > 0) return new Dialect((byte)candidates[agreed.MaxBy(a => (a.Agreement.Share, a.Agreement.Count)).Column], false);
        // Spaces and tabs: where no , ; or | is on the first line and the lines split alike (tabs alone did not).
        if (lines[0][0] + lines[0][2] + lines[0][3] == 0 && Agreement(candidates.Length) is { Share: >= 0.9, Count: >= 1 } words
            && lines[0][^1] == words.Count)
            return new Dialect((byte)' ', true);
        if (best >= 0) return new Dialect((byte)candidates[best], false);
        return new Dialect((byte)',', false);
    }

    private readonly record struct Field(int Start, int End, bool Quoted, bool Escapes);

    /// <summary>Splits UTF-8 bytes into records of fields without copying; only ASCII bytes (delimiter,
    /// quote, line breaks) are structural, so multi-byte characters pass through untouched.</summary>
    /// <remarks>Only the bytes before <c>end</c> are read: a streamed file's buffer is filled that far.</remarks>
    private sealed class RecordReader(byte[] text, int start, Dialect dialect, int line = 1, int end = -1)
    {
        private readonly int _end = end < 0 ? text.Length : end;
        private int _position = start;
        private int _line = line;
        private readonly byte _delimiter = dialect.Delimiter;
        private readonly bool _whitespace = dialect.Whitespace;
        private readonly bool _decimalComma = dialect.DecimalComma;
        private readonly bool _dayFirst = dialect.DayFirst;

        /// <summary>A number with a decimal comma, read as its invariant form.</summary>
        private static bool TryCommaNumber(ReadOnlySpan<byte> bytes, out double value)
        {
            value = 0;
            if (bytes.Length > 64 || !CommaNumber(bytes, [], out var length)) return false;
            Span<byte> invariant = stackalloc byte[length];
            CommaNumber(bytes, invariant, out _);
            return double.TryParse(invariant, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        }

        private readonly System.Buffers.SearchValues<byte> _stops = System.Buffers.SearchValues.Create(
            dialect.Whitespace ? [(byte)' ', (byte)'\t', (byte)'\n', (byte)'\r'] : [dialect.Delimiter, (byte)'\n', (byte)'\r']);

        /// <summary>Moves past spaces and tabs; true when a line break or the end follows them.</summary>
        private bool SkipBlanks()
        {
            while (_position < _end && text[_position] is (byte)' ' or (byte)'\t') _position++;
            return _position >= _end || text[_position] is (byte)'\n' or (byte)'\r';
        }

        public int Position => _position;
        public int Line => _line;

        /// <summary>About how many records lie between here and <paramref name="end"/>, from the lengths of the first lines.</summary>
        public int EstimateRecords(int end)
        {
            var sample = text.AsSpan(_position, Math.Min(65_536, end - _position));
            var breaks = sample.Count((byte)'\n');
            return breaks == 0 ? 16 : (int)Math.Min(int.MaxValue / 2, (long)(end - _position) * breaks / sample.Length + 16);
        }

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
            if (_position >= _end) return false;
            // Split by white space, a line starts with its first word (a line of blanks reads as a blank line).
            if (_whitespace && SkipBlanks() && _position < _end && _position > recordStart)
            {
                fields.Add(new Field(_position, _position, false, false));
                EndLine();
                return true;
            }
            var fieldStart = _position;
            while (true)
            {
                if (_position >= _end)
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
                        if (_position >= _end)
                        {
                            error = "a quoted field is never closed";
                            return true;
                        }
                        var b = text[_position];
                        if (b == '"')
                        {
                            if (_position + 1 < _end && text[_position + 1] == '"')
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
                    if (_whitespace)
                    {
                        var closed = _position;
                        if (SkipBlanks())
                        {
                            if (_position < _end) EndLine();
                            return true;
                        }
                        if (_position > closed)
                        {
                            fieldStart = _position;
                            continue;
                        }
                        error = "text after a closing quote";
                        return true;
                    }
                    while (_position < _end && text[_position] == ' ') _position++;
                    if (_position >= _end) return true;
                    if (text[_position] == _delimiter)
                    {
                        fieldStart = ++_position;
                        if (_position >= _end)
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
                var stop = text.AsSpan(_position, _end - _position).IndexOfAny(_stops);
                var end = stop < 0 ? _end : _position + stop;
                fields.Add(new Field(fieldStart, end, false, false));
                _position = end;
                if (_position >= _end) return true;
                if (_whitespace)
                {
                    // A run of blanks is one delimiter; blanks at the end of a line are not a field.
                    if (SkipBlanks())
                    {
                        if (_position < _end) EndLine();
                        return true;
                    }
                    fieldStart = _position;
                    continue;
                }
                if (text[_position] == _delimiter)
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
            var end = Array.IndexOf(text, (byte)'\n', recordStart, _end - recordStart);
            _position = end < 0 ? _end : end + 1;
            _line = line + 1;
        }

        /// <summary>Read on from <paramref name="position"/>, a record start on line <paramref name="line"/>.</summary>
        public void ResumeAt(int position, int line)
        {
            _position = position;
            _line = line;
        }

        /// <summary>The physical line a record started on, as text (invalid bytes shown as U+FFFD).</summary>
        public string RawLine(int recordStart)
        {
            var end = Array.IndexOf(text, (byte)'\n', recordStart, _end - recordStart);
            if (end < 0) end = _end;
            return Encoding.UTF8.GetString(text, recordStart, end - recordStart).TrimEnd('\r');
        }

        /// <summary>Field <paramref name="index"/> of the record that starts at <paramref name="recordStart"/> (read
        /// before without error), read again.</summary>
        public Field FieldAt(int recordStart, int index, List<Field> fields)
        {
            var again = new RecordReader(text, recordStart, dialect, end: _end);
            again.Next(fields, out _, out _, out _);
            return fields[index];
        }

        public bool IsValid(Field field) => Utf8.IsValid(text.AsSpan(field.Start, field.End - field.Start));

        /// <summary>A field read as a number, as <see cref="Values.TryNumber"/> reads text; NaN when it marks a
        /// missing value. False when it is neither.</summary>
        public bool TryNumber(Field field, out double value)
        {
            var bytes = text.AsSpan(field.Start, field.End - field.Start).Trim((byte)' ');
            if (bytes.Length == 0)
            {
                value = double.NaN;
                return true;
            }
            if (TryInteger(bytes, out value)) return true;
            if (_decimalComma && TryCommaNumber(bytes, out value)) return true;
            if (!field.Escapes && double.TryParse(bytes, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value)) return true;
            var written = Text(field);
            if (Values.IsMissing(written))
            {
                value = double.NaN;
                return true;
            }
            return Values.TryNumber(written, out value);
        }

        /// <summary>Plain integers of up to 15 digits (exact in a double), the commonest numbers in a table, read
        /// without the general parser.</summary>
        private static bool TryInteger(ReadOnlySpan<byte> bytes, out double value)
        {
            value = 0;
            var negative = bytes.Length > 1 && bytes[0] == '-';
            var digits = negative ? bytes[1..] : bytes;
            if (digits.Length is 0 or > 15) return false;
            long number = 0;
            foreach (var b in digits)
            {
                var digit = b - '0';
                if ((uint)digit > 9) return false;
                number = number * 10 + digit;
            }
            value = negative ? -(double)number : number;
            return true;
        }

        /// <summary>A field's text (valid UTF-8, checked when the record was read), trimmed unless quoted.</summary>
        public string Text(Field field)
        {
            // A number with a decimal comma in a column read as text is written as the rest of Lathe reads numbers,
            // a date written day first as the ISO date it is.
            if ((_decimalComma || _dayFirst) && Rewritten(text.AsSpan(field.Start, field.End - field.Start).Trim((byte)' '), _decimalComma, _dayFirst) is { } rewritten)
                return rewritten;
            var decoded = Encoding.UTF8.GetString(text.AsSpan(field.Start, field.End - field.Start));
            if (field.Escapes) decoded = decoded.Replace("\"\"", "\"");
            return field.Quoted ? decoded : decoded.Trim();
        }

        /// <summary>A field's text as characters in <paramref name="buffer"/>, trimmed unless quoted; empty when it
        /// does not fit or has doubled quotes (then use <see cref="Text"/>).</summary>
        public ReadOnlySpan<char> Chars(Field field, char[] buffer)
        {
            var bytes = text.AsSpan(field.Start, field.End - field.Start);
            if (field.Escapes || bytes.Length > buffer.Length || _decimalComma && CommaNumber(bytes.Trim((byte)' '), [], out _)
                || _dayFirst && SlashDate(bytes.Trim((byte)' '), [], dayFirst: true, out _, out _, out _)) return [];
            ReadOnlySpan<char> chars = buffer.AsSpan(0, Encoding.UTF8.GetChars(bytes, buffer));
            return field.Quoted ? chars : chars.Trim();
        }

        private void EndLine()
        {
            if (text[_position] == '\r' && _position + 1 < _end && text[_position + 1] == '\n') _position++;
            _position++;
            _line++;
        }
    }
}
