using System.Globalization;
using Lathe.Data.Schema;

namespace Lathe.Data.Cleaning;

/// <summary>Turns raw columns into the types the schema names: text into numbers, yes/no into 0/1, dates
/// into their parts, categories trimmed. Applied identically in training, evaluation and prediction; a
/// value that does not fit its column's type is an error naming the row and the column.</summary>
public static class TypeCoercion
{
    /// <summary>The parts a date becomes: its calendar values, sine/cosine encodings of the cyclical ones (so December
    /// sits next to January, Sunday next to Monday, 23:00 next to midnight), and the days since 1970-01-01 with the time
    /// of day as a fraction (a trend over the years, or a stretch of time that behaves alike, is one number to split,
    /// not a combination of year, month and day).</summary>
    public static readonly IReadOnlyList<string> DateParts = ["year", "month", "day", "weekday", "hour", "month_sin", "month_cos", "weekday_sin", "weekday_cos", "hour_sin", "hour_cos", "elapsed_days"];

    /// <summary>The parts of a date column in a schema from before <c>elapsed_days</c> (its <see cref="ColumnSchema.DateParts"/> is null).</summary>
    public static readonly IReadOnlyList<string> FirstDateParts = DateParts.Take(11).ToArray();

    public static Table Apply(Table raw, DataSchema schema)
    {
        // Plain loops, no LINQ: a server runs this on every request's one-row table (docs/serving.md, "Allocations").
        var features = new List<ColumnSchema>(schema.Columns.Count);
        foreach (var spec in schema.Columns)
        {
            if (!spec.IsFeature) continue;
            if (!raw.Contains(spec.Name))
                throw raw.MissingColumn(spec.Name, $"{spec.Type.ToString().ToLowerInvariant()} column (the model was trained with it)");
            features.Add(spec);
        }
        // Each column is converted on its own, so all at once; a date becomes one column per part.
        var converted = new Column[features.Count][];
        Parallelism.For(features.Count, f =>
        {
            var spec = features[f];
            var column = raw[spec.Name];
            converted[f] = spec.Type switch
            {
                ColumnType.Numeric => [ToNumbers(raw, column, spec.Name)],
                ColumnType.Boolean => [ToBooleans(raw, column)],
                ColumnType.Categorical or ColumnType.Text => [ToCategories(column)],
                ColumnType.DateTime => ToDateParts(raw, column, spec.DateParts ?? FirstDateParts).ToArray(),
                ColumnType.Image => [column as ImageColumn ?? LoadImages(raw, column, spec)],
                _ => [],
            };
        });
        var all = new List<Column>(features.Count);
        foreach (var columns in converted) all.AddRange(columns);
        return raw.With(all);
    }

    /// <summary>Rows with a value that does not fit its column's type, each with the reason; the columns checked
    /// are the features and, for regression, the target.</summary>
    public static IReadOnlyList<(int Row, string Reason)> FindBadRows(Table raw, DataSchema schema, string? numericTarget = null)
    {
        var checks = schema.Features.Select(c => (c.Name, c.Type)).ToList();
        if (numericTarget is not null) checks.Add((numericTarget, ColumnType.Numeric));
        // Columns are checked at once; a row bad in several columns keeps the reason of the first.
        var found = new List<(int Row, string Reason)>[checks.Count];
        Parallelism.For(checks.Count, c => found[c] = BadValues(raw, checks[c].Name, checks[c].Type));
        var bad = new SortedDictionary<int, string>();
        foreach (var (row, reason) in found.SelectMany(f => f)) bad.TryAdd(row, reason);
        return bad.Select(p => (p.Key, p.Value)).ToArray();
    }

    /// <summary>Each checked column's values that do not fit its type: the rows, with reasons.</summary>
    public static IReadOnlyList<(string Column, List<(int Row, string Reason)> Bad)> FindBadValues(Table raw, DataSchema schema)
    {
        var checks = schema.Features.Select(c => (c.Name, c.Type)).ToArray();
        var found = new List<(int Row, string Reason)>[checks.Length];
        Parallelism.For(checks.Length, c => found[c] = checks[c].Type == ColumnType.Image ? [] : BadValues(raw, checks[c].Name, checks[c].Type));
        return checks.Select((c, i) => (c.Name, found[i])).Where(b => b.Item2.Count > 0).ToArray();
    }

    private static List<(int Row, string Reason)> BadValues(Table raw, string name, ColumnType type)
    {
        var bad = new List<(int, string)>();
        if (!raw.Contains(name) || raw[name] is not StringColumn text) return bad;
        if (type == ColumnType.Image)
        {
            // Missing files and files that are not images are set aside; each image is decoded once, later.
            for (var i = 0; i < text.Count; i++)
                if (text.Values[i] is { } path && !Sources.ImageDecoder.CanRead(raw.Resolve(path)))
                    bad.Add((i, $"column '{name}': image '{path}' cannot be read"));
            return bad;
        }
        Func<string, bool>? fits = type switch
        {
            ColumnType.Numeric => v => Values.TryNumber(v, out _),
            ColumnType.Boolean => v => Values.TryBoolean(v, out _) || Values.TryNumber(v, out _),
            ColumnType.DateTime => v => Values.TryDate(v, out _),
            _ => null,
        };
        if (fits is null) return bad;
        var what = type switch { ColumnType.Numeric => "a number", ColumnType.Boolean => "a yes/no value", _ => "a date" };
        for (var i = 0; i < text.Count; i++)
        {
            var value = text.Values[i];
            if (!Values.IsMissing(value) && !fits(value!))
                bad.Add((i, $"column '{name}': '{value}' is not {what}"));
        }
        return bad;
    }

    /// <summary>A column of image paths, loaded at the shape the schema fixed in training.</summary>
    private static ImageColumn LoadImages(Table raw, Column column, ColumnSchema spec)
    {
        if (column is not StringColumn paths || spec.ImageShape is not [var channels, var height, var width])
            throw new DataException($"{raw.Source}: column '{spec.Name}' must hold images or image paths");
        var images = new byte[paths.Count][];
        var gray = true;
        for (var i = 0; i < paths.Count; i++)
            images[i] = (paths.Values[i] is { } path ? Sources.ImageDecoder.Decode(raw.Resolve(path), height, width, ref gray) : null)
                        ?? throw new DataException($"{raw.Source} {raw.RowName(i)}, column '{spec.Name}': image '{paths.Values[i]}' cannot be read — check that the file exists (relative paths are relative to the data file) and is a PNG, JPEG, BMP, GIF or WebP");
        return Sources.ImageDecoder.Pack(spec.Name, images, height, width, channels);
    }

    private static NumericColumn ToNumbers(Table raw, Column column, string name)
    {
        if (column is NumericColumn numeric) return numeric;
        var texts = Texts(raw, column);
        var values = new double[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            var text = texts[i];
            if (Values.IsMissing(text)) values[i] = double.NaN;
            else if (!Values.TryNumber(text!, out values[i]))
                throw new DataException($"{raw.Source} {raw.RowName(i)}, column '{name}': '{text}' is not a number — fix the value or leave it empty to mark it missing");
        }
        return new NumericColumn(name, values);
    }

    private static NumericColumn ToBooleans(Table raw, Column column)
    {
        var values = new double[column.Count];
        if (column is NumericColumn numeric)
        {
            for (var i = 0; i < values.Length; i++)
            {
                var v = numeric.Values[i];
                values[i] = double.IsNaN(v) ? double.NaN : v != 0 ? 1 : 0;
            }
            return new NumericColumn(column.Name, values);
        }
        var texts = Texts(raw, column);
        for (var i = 0; i < texts.Length; i++)
        {
            var text = texts[i];
            if (Values.IsMissing(text)) values[i] = double.NaN;
            else if (Values.TryBoolean(text!, out var flag)) values[i] = flag ? 1 : 0;
            else if (Values.TryNumber(text!, out var number)) values[i] = number != 0 ? 1 : 0;
            else
                throw new DataException($"{raw.Source} {raw.RowName(i)}, column '{column.Name}': '{text}' is not a yes/no value — use true/false, yes/no or 1/0");
        }
        return new NumericColumn(column.Name, values);
    }

    private static StringColumn ToCategories(Column column)
    {
        if (column is NumericColumn numeric)
            return new StringColumn(column.Name, numeric.Values.Select(v => double.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture)).ToArray());
        var values = ((StringColumn)column).Values;
        var clean = new string?[values.Length];
        for (var i = 0; i < values.Length; i++) clean[i] = Values.IsMissing(values[i]) ? null : values[i]!.Trim();
        return new StringColumn(column.Name, clean);
    }

    /// <summary>The parts <paramref name="names"/> of the date column <paramref name="column"/>, each with its values (NaN where the date is missing).</summary>
    public static IEnumerable<(string Part, double[] Values)> DatePartValues(Table raw, string column, IReadOnlyList<string> names) =>
        ToDateParts(raw, raw[column], names).Select((c, p) => (names[p], ((NumericColumn)c).Values));

    private static IEnumerable<Column> ToDateParts(Table raw, Column column, IReadOnlyList<string> names)
    {
        var texts = Texts(raw, column);
        var read = names.Select(name => DatePartReader(name) ?? throw new DataException(
            $"{raw.Source}, column '{column.Name}': the schema asks for the date part '{name}', which this Lathe does not know — the known parts are {string.Join(", ", DateParts)}")).ToArray();
        var parts = names.Select(_ => new double[texts.Length]).ToArray();
        for (var i = 0; i < texts.Length; i++)
        {
            var text = texts[i];
            if (Values.IsMissing(text))
            {
                foreach (var part in parts) part[i] = double.NaN;
                continue;
            }
            if (!Values.TryDate(text!, out var date))
                throw new DataException($"{raw.Source} {raw.RowName(i)}, column '{column.Name}': '{text}' is not a date — use a form like 2024-05-31 or 2024-05-31T14:00:00");
            for (var p = 0; p < parts.Length; p++) parts[p][i] = read[p](date);
        }
        return parts.Select((values, p) => new NumericColumn($"{column.Name}.{names[p]}", values));
    }

    /// <summary>How to read the date part <paramref name="name"/> off a date; null for a name that is not one of <see cref="DateParts"/>.</summary>
    public static Func<DateTime, double>? DatePartReader(string name) => name switch
    {
        "year" => d => d.Year,
        "month" => d => d.Month,
        "day" => d => d.Day,
        "weekday" => d => (int)d.DayOfWeek,
        "hour" => d => d.Hour + d.Minute / 60.0,
        "month_sin" => d => Cycle.Months[d.Month - 1].Sin,
        "month_cos" => d => Cycle.Months[d.Month - 1].Cos,
        "weekday_sin" => d => Cycle.Weekdays[(int)d.DayOfWeek].Sin,
        "weekday_cos" => d => Cycle.Weekdays[(int)d.DayOfWeek].Cos,
        "hour_sin" => d => Cycle.Minutes[d.Hour * 60 + d.Minute].Sin,
        "hour_cos" => d => Cycle.Minutes[d.Hour * 60 + d.Minute].Cos,
        "elapsed_days" => d => (d.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerDay,
        _ => null,
    };

    /// <summary>The sine and cosine of every month, weekday and minute of the day, computed once (a column of
    /// timestamps has millions of rows but only 1,440 minutes).</summary>
    private static class Cycle
    {
        public static readonly (double Sin, double Cos)[] Months = Angles(12, m => m);
        public static readonly (double Sin, double Cos)[] Weekdays = Angles(7, d => d);
        public static readonly (double Sin, double Cos)[] Minutes = Angles(24, m => m / 60 + m % 60 / 60.0, 24 * 60);

        private static (double, double)[] Angles(int period, Func<int, double> position, int count = 0) =>
            Enumerable.Range(0, count == 0 ? period : count).Select(i => 2 * Math.PI * position(i) / period).Select(a => (Math.Sin(a), Math.Cos(a))).ToArray();
    }

    private static string?[] Texts(Table raw, Column column) => column is ImageColumn
        ? throw new DataException($"{raw.Source}: column '{column.Name}' holds images, not values")
        : Texts(column);

    /// <summary>A column's values as text, numbers written invariantly; null where missing.</summary>
    public static string?[] Texts(Column column) => column switch
    {
        StringColumn s => s.Values,
        NumericColumn n => n.Values.Select(v => double.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture)).ToArray(),
        _ => new string?[column.Count],
    };
}
