namespace Lathe.Data;

/// <summary>A columnar table: named columns of equal length, plus where each row came from so that an
/// error can name it ("penguins.csv line 18").</summary>
public sealed class Table
{
    private readonly Dictionary<string, Column>? _byName;
    private readonly int[]? _lines;
    private readonly string _rowUnit;

    /// <param name="source">The file the rows came from, for messages.</param>
    /// <param name="lines">The source line of each row (CSV); null numbers rows as records from 1.</param>
    /// <param name="rowUnit">What <paramref name="lines"/> count: "line" in text files, "record" in JSON.</param>
    /// <param name="directory">The folder the source file is in: relative paths in the data (image paths) resolve there.</param>
    public Table(IReadOnlyList<Column> columns, string source, int[]? lines = null, IReadOnlyList<Cleaning.QuarantinedRow>? quarantined = null, string rowUnit = "line", string? directory = null)
    {
        Directory = directory;
        _rowUnit = rowUnit;
        Quarantined = quarantined ?? [];
        Columns = columns;
        Source = source;
        RowCount = columns.Count == 0 ? 0 : columns[0].Count;
        // A narrow table is searched column by column: as fast as a dictionary at that width, and a served request
        // makes one table a pipeline step, so the dictionary was a tenth of what it allocated (docs/serving.md).
        _byName = columns.Count > LinearSearchColumns ? new Dictionary<string, Column>(columns.Count, StringComparer.Ordinal) : null;
        for (var c = 0; c < columns.Count; c++)
        {
            var column = columns[c];
            if (column.Count != RowCount)
                throw new ArgumentException($"column '{column.Name}' has {column.Count} rows, expected {RowCount}");
            if (_byName is null ? IndexOf(column.Name, c) >= 0 : !_byName.TryAdd(column.Name, column))
                throw new DataException($"{source}: the column name '{column.Name}' appears twice — rename one of them");
        }
        _lines = lines;
    }

    private const int LinearSearchColumns = 16;

    /// <summary>The position of the column named <paramref name="name"/> among the first <paramref name="count"/>, or −1.</summary>
    private int IndexOf(string name, int count)
    {
        for (var c = 0; c < count; c++)
            if (string.Equals(Columns[c].Name, name, StringComparison.Ordinal)) return c;
        return -1;
    }

    private bool TryFind(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Column? column)
    {
        if (_byName is not null) return _byName.TryGetValue(name, out column);
        var at = IndexOf(name, Columns.Count);
        column = at >= 0 ? Columns[at] : null;
        return column is not null;
    }

    public IReadOnlyList<Column> Columns { get; }
    public string? Directory { get; }

    /// <summary>A path written in the data, made absolute against the source's folder.</summary>
    public string Resolve(string path) => System.IO.Path.GetFullPath(path.Trim(), Directory ?? System.IO.Directory.GetCurrentDirectory());
    /// <summary>Rows of the source that could not be read, set aside by the reader.</summary>
    public IReadOnlyList<Cleaning.QuarantinedRow> Quarantined { get; }
    /// <summary>What the reader decided about the file's layout that a user should know (a preamble skipped, column
    /// names that read like data), each with its fix; shown by <c>lathe profile</c>, <c>init</c> and <c>prepare</c>.</summary>
    public IReadOnlyList<ReadNote> Notes { get; init; } = [];
    /// <summary>How a delimited text file wrote its numbers and dates, as the reader found them: its decimal mark and
    /// date order, never auto (<see cref="Sources.CsvLayout.Found"/>); null for a source of any other kind.</summary>
    public Sources.CsvLayout? Found { get; init; }
    public int RowCount { get; }
    public string Source { get; }
    public IEnumerable<string> ColumnNames => Columns.Select(c => c.Name);

    public Column this[string name] => TryFind(name, out var column)
        ? column
        : throw MissingColumn(name);

    public bool Contains(string name) => TryFind(name, out _);

    /// <summary>For a fitted step: every column it was fitted on must be here, or the input is not what it was trained on.</summary>
    public void Require(IEnumerable<string> names, string step)
    {
        foreach (var name in names)
            if (!Contains(name))
                throw new DataException($"{Source}: column '{name}' is missing, but the fitted {step} step needs it — the data does not have the layout the model was trained on");
    }

    /// <summary>An error for a column that is not here, with the nearest name as the likely fix.</summary>
    public DataException MissingColumn(string name, string role = "column")
    {
        // The likeliest meant: the same name in other case, then a name that contains it, then a typo away.
        var nearest = ColumnNames.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
                      ?? (name.Length >= 3 ? ColumnNames.FirstOrDefault(n => n.Contains(name, StringComparison.OrdinalIgnoreCase)) : null)
                      ?? Config.ConfigNames.Nearest(name, ColumnNames);
        var hint = nearest is not null ? $"did you mean '{nearest}'?" : $"the columns are: {string.Join(", ", ColumnNames.Select(n => $"'{n}'"))}";
        return new DataException($"{Source}: no {role} named '{name}' — {hint}");
    }

    /// <summary>Where row <paramref name="row"/> came from, in words: "line 18" or "record 17".</summary>
    public string RowName(int row) => _lines is null ? $"record {row + 1}" : $"{_rowUnit} {_lines[row]}";

    /// <summary>The line (text files) or record number (JSON) of a row, from 1.</summary>
    public int LineOf(int row) => _lines?[row] ?? row + 1;

    /// <summary>A row's values as one comma-separated line, for the quarantine file.</summary>
    public string RowText(int row) => string.Join(",", Columns.Select(c => c switch
    {
        StringColumn s => s.Values[row] is { } v && v.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : s.Values[row] ?? "",
        NumericColumn n => double.IsNaN(n.Values[row]) ? "" : n.Values[row].ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        TokenColumn => "<tokens>",
        _ => "<image>",
    }));

    public Table Gather(ReadOnlySpan<int> rows)
    {
        var columns = new Column[Columns.Count];
        for (var c = 0; c < columns.Length; c++) columns[c] = Columns[c].Gather(rows);
        // Rows keep where they came from: their line, or their record number in a source without lines.
        var lines = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++) lines[i] = _lines is null ? rows[i] + 1 : _lines[rows[i]];
        return new Table(columns, Source, lines, Quarantined, _lines is null ? "record" : _rowUnit, Directory);
    }

    /// <summary>The table with each column replaced by what <paramref name="replace"/> makes of it (one column or
    /// several, in its place); a column for which it returns null is kept as it is.
    /// Columns are replaced at once, so <paramref name="replace"/> must not share state between columns.</summary>
    public Table Replace(Func<Column, IEnumerable<Column>?> replace)
    {
        var replaced = new IEnumerable<Column>?[Columns.Count];
        // A lazy sequence is made here, on the column's own thread; a collection is taken as it is.
        Parallelism.For(replaced.Length, c => replaced[c] = replace(Columns[c]) is { } made ? made as IReadOnlyCollection<Column> ?? made.ToArray() : null);
        // A step that replaced nothing (a one-row request passes through several) keeps the table as it is.
        if (Array.TrueForAll(replaced, r => r is null)) return this;
        var columns = new List<Column>(Columns.Count);
        for (var c = 0; c < replaced.Length; c++)
        {
            if (replaced[c] is { } made) columns.AddRange(made);
            else columns.Add(Columns[c]);
        }
        return With(columns);
    }

    /// <summary>The table without the named columns (a fitted step first checks they are here).</summary>
    public Table Without(IEnumerable<string> names)
    {
        var drop = names.ToHashSet(StringComparer.Ordinal);
        return With(Columns.Where(c => !drop.Contains(c.Name)).ToArray());
    }

    /// <summary>Batches of one source (<see cref="Sources.IDataSource.ReadBatches"/>) as one table, rows in order with
    /// their lines and quarantined rows. A column read as numbers in one batch and as text in another becomes text,
    /// its numbers written as they read back ("R" format). The columns are those of the last batch, which has
    /// every column of the ones before it; a column missing from an earlier batch is missing there.</summary>
    public static Table Concat(IReadOnlyList<Table> batches)
    {
        if (batches.Count == 1) return batches[0];
        var last = batches[^1];
        var rows = batches.Sum(b => b.RowCount);
        var lines = new int[rows];
        var at = 0;
        foreach (var batch in batches)
            for (var r = 0; r < batch.RowCount; r++) lines[at++] = batch.LineOf(r);
        var columns = last.Columns.Select(column =>
        {
            var parts = batches.Select(b => b.Contains(column.Name) ? b[column.Name] : null).ToArray();
            var counts = batches.Select(b => b.RowCount).ToArray();
            if (parts.All(p => p is null or NumericColumn))
            {
                var numbers = new double[rows];
                var next = 0;
                for (var k = 0; k < parts.Length; next += counts[k], k++)
                    if (parts[k] is NumericColumn n) n.Values.CopyTo(numbers, next);
                    else Array.Fill(numbers, double.NaN, next, counts[k]);
                return (Column)new NumericColumn(column.Name, numbers);
            }
            if (parts.All(p => p is null or NumericColumn or StringColumn))
            {
                var texts = new string?[rows];
                var next = 0;
                for (var k = 0; k < parts.Length; next += counts[k], k++)
                    if (parts[k] is StringColumn s) s.Values.CopyTo(texts, next);
                    else if (parts[k] is NumericColumn n)
                        for (var i = 0; i < n.Count; i++)
                            texts[next + i] = double.IsNaN(n.Values[i]) ? null : n.Values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                return new StringColumn(column.Name, texts);
            }
            if (parts.All(p => p is ImageColumn))
            {
                var images = parts.Cast<ImageColumn>().ToArray();
                return new ImageColumn(column.Name, images.SelectMany(i => i.Pixels).ToArray(), images[0].Channels, images[0].Height, images[0].Width);
            }
            throw new ArgumentException($"column '{column.Name}' cannot be joined across batches of different kinds");
        }).ToArray();
        return new Table(columns, last.Source, lines, batches.SelectMany(b => b.Quarantined).ToArray(), last._lines is null ? "record" : last._rowUnit, last.Directory)
        {
            Notes = ReadNote.Merge(batches.Select(b => b.Notes)),
            Found = batches[0].Found,
        };
    }

    public Table With(IReadOnlyList<Column> columns) => new(columns, Source, _lines, Quarantined, _rowUnit, Directory) { Notes = Notes, Found = Found };
}

/// <summary>Something the reader decided about a file's layout, and how to decide otherwise.</summary>
public sealed record ReadNote(string Problem, string Fix)
{
    public override string ToString() => $"{Problem} → {Fix}";

    /// <summary>The notes of a file's batches in order, each once: a later batch's note with the same fix takes the place
    /// of an earlier one, as a running count's last figure does (values read as missing so far), so that the notes of a
    /// streamed read are those of the file.</summary>
    public static IReadOnlyList<ReadNote> Merge(IEnumerable<IReadOnlyList<ReadNote>> batches)
    {
        var merged = new List<ReadNote>();
        foreach (var notes in batches)
            foreach (var note in notes)
                if (merged.FindIndex(m => m.Fix == note.Fix) is var at and >= 0) merged[at] = note;
                else merged.Add(note);
        return merged;
    }
}
