using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;
using Values = Lathe.Data.Schema.Values;
using Prometheus;

namespace Lathe.Serving;

/// <summary>The record path: one plain JSON record from its bytes straight into the model's input row, and its answer
/// from the outputs straight into this thread's response buffer, with no document, record, table, column or answer
/// object made on the way (docs/serving.md, "The record path"). It takes only what it can answer exactly as the table
/// path would: a JSON object of the model's fields, each a number, a yes/no, a category the model knows (any, where it is
/// hashed), a date or a text its TF-IDF step weighs or its sequence step makes token ids of (or null), a picture as the
/// base64 of its raw pixels at the model's size (the model's one input, or beside the columns), and fields the model ignores; a nested object's fields by their path (<c>record.high</c>), as the table path names them. Anything
/// else — a field unknown, missing or twice, a value of another kind, a category it does not know, a number out of
/// range, half a surrogate pair escaped, malformed JSON — it declines, and the request goes the table path, where the
/// checks and their messages are. A test holds the two paths to the same bytes on every row of real tables.</summary>
public sealed class RecordRow
{
    private readonly RowForm _form;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _fields;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>?[] _categories;
    private readonly (double Low, double High)[] _ranges;
    private readonly ColumnType[] _types;
    private readonly FittedTarget _target;
    private readonly Counter.Child[] _counted;
    // Each picture field's shape (a model's one image, or pictures beside the columns); default for other fields.
    private readonly (int Channels, int Height, int Width)[] _shapes;

    /// <summary>The row form records are packed with.</summary>
    public RowForm Form => _form;

    /// <summary>Bodies longer than this (images bigger than a few thousand pixels, many records) go the table path.</summary>
    public const int RecordPathBytes = 16 << 10;

    /// <summary>Names and category values are matched as text of at most this many characters; a longer one is declined.</summary>
    private const int MaxText = 256;
    /// <summary>A model with more fields or classes than this is served through the table path alone (the row's values and
    /// probabilities live on the stack).</summary>
    private const int MaxFields = 512;
    // Fields and ignored names: the numbers names are looked up to (the fields first).
    private readonly int _names;

    private RecordRow(RowForm form, ServedModel model, ServeOptions options, ServeMetrics metrics)
    {
        _form = form;
        _target = model.Target;
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var fields = form.Fields;
        // Each ignored name has a number past the fields', so that one sent twice is seen (the table path refuses it).
        foreach (var name in model.Ignored) names[name] = fields.Count + names.Count;
        _names = names.Count == 0 ? fields.Count : names.Values.Max() + 1;
        _categories = new Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>?[fields.Count];
        _ranges = new (double, double)[fields.Count];
        _types = new ColumnType[fields.Count];
        _shapes = new (int, int, int)[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            var field = fields[f];
            var input = model.Fields.First(i => i.Name == field.Name);
            names[field.Name] = f;
            _types[f] = field.Type;
            if (field.Type == ColumnType.Image) _shapes[f] = model.ImageShape(field.Name);
            _ranges[f] = options.RejectOutOfRange ? RecordTable.AcceptedRange(input) : (double.NegativeInfinity, double.PositiveInfinity);
            if (field.Type != ColumnType.Categorical) continue;
            // With unknown categories refused, only those the bundle's schema lists are taken here; the others are the table path's to refuse.
            var listed = options.RejectUnknownCategories && input.Categories is { } categories ? categories.ToHashSet(StringComparer.Ordinal) : null;
            if (field.Buckets > 0)
            {
                // A hashed category may be any text, or with unknown categories refused any listed one.
                if (listed is not null) _categories[f] = listed.ToDictionary(c => c, _ => 0, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
                continue;
            }
            var known = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var k = 0; k < field.Categories.Count; k++)
                if (listed is null || listed.Contains(field.Categories[k])) known[field.Categories[k]] = k;
            _categories[f] = known.GetAlternateLookup<ReadOnlySpan<char>>();
        }
        _fields = names.GetAlternateLookup<ReadOnlySpan<char>>();
        _counted = _target.Task == TaskKind.Classification
            ? _target.Classes.Select(c => metrics.Predictions.WithLabels(c)).ToArray()
            : [metrics.Predictions.WithLabels("value")];
    }

    /// <summary>The record path for <paramref name="model"/>, or null (with <paramref name="why"/>) where it has none: a
    /// pipeline with a step or column of no row form, several targets or labels, or more fields or classes than it keeps on the stack.</summary>
    public static RecordRow? For(ServedModel model, ServeOptions options, ServeMetrics metrics, out string why)
    {
        var target = model.Target;
        if (!(target.Task == TaskKind.Classification || target.Task == TaskKind.Regression && target.Columns is null))
        {
            why = "several targets or labels are answered through the table path";
            return null;
        }
        if (RowForm.For(model.Pipeline, out why) is not { } form) return null;
        if (model.Written is not null && model.Fields.Any(f => f.Type is not (ColumnType.Numeric or ColumnType.Boolean or ColumnType.Image)))
        {
            why = "the training file wrote numbers with a decimal comma or dates day first, and the table path reads text so";
            return null;
        }
        if (form.Fields.Count > MaxFields || target.Classes.Count > MaxFields)
        {
            why = $"more than {MaxFields} fields or classes";
            return null;
        }
        // The fields the table path requires are the ones the row gives.
        if (!form.Fields.Select(f => (f.Name, f.Type)).Order().SequenceEqual(model.Fields.Select(f => (f.Name, f.Type)).Order()))
        {
            why = "the bundle's input fields are not the pipeline's";
            return null;
        }
        return new RecordRow(form, model, options, metrics);
    }

    /// <summary>The model input of the one record in <paramref name="body"/>, or null where the record path declines it.</summary>
    public Features? TryRead(ReadOnlySpan<byte> body)
    {
        // The table path refuses a body with any byte that is not UTF-8, wherever it is.
        if (!Utf8.IsValid(body)) return null;
        // A row's values live on the stack, but for texts' many TF-IDF weights.
        double[]? rented = null;
        Span<double> values = _form.Values <= MaxFields ? stackalloc double[_form.Values] : (rented = ArrayPool<double>.Shared.Rent(_form.Values)).AsSpan(0, _form.Values);
        try
        {
            return Read(body, values);
        }
        finally
        {
            if (rented is not null) ArrayPool<double>.Shared.Return(rented);
        }
    }

    private Features? Read(ReadOnlySpan<byte> body, Span<double> values)
    {
        var count = _types.Length;
        Span<bool> seen = stackalloc bool[_names];
        seen.Clear();
        var given = 0;
        byte[]? pixels = null;
        // A table's row is made first, so that a picture beside the columns is normalised straight into it.
        var row = _form.Image is null ? new float[_form.Width] : null;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = RequestRecords.MaxDepth });
        Span<char> name = stackalloc char[MaxText];
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            // The object's fields, its end, and nothing after it.
            if (!ReadFields(ref reader, name, 0, values, seen, ref given, ref pixels, row) || reader.Read() || given != count) return null;
        }
        catch (JsonException)
        {
            return null;
        }
        if (row is null)
        {
            var (channels, height, width) = _shapes[0];
            return _form.Images(pixels!, channels, height, width);
        }
        _form.Pack(values, row);
        return Features.FromTable(1, row, row.Length);
    }

    /// <summary>The fields of the object the reader is in, up to its end: each name, after the <paramref name="prefix"/>
    /// characters of <paramref name="name"/> (the path of the objects it is nested in, <c>record.</c>), looked up as the
    /// table path names a nested field; a name that is no field but holds an object is read the same way one level down.</summary>
    private bool ReadFields(ref Utf8JsonReader reader, scoped Span<char> name, int prefix, scoped Span<double> values, scoped Span<bool> seen, ref int given, ref byte[]? pixels,
        float[]? row)
    {
        var count = _types.Length;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!Name(ref reader, name, prefix, out var length)) return false;
            var found = _fields.TryGetValue(name[..length], out var field);
            if (!reader.Read()) return false;
            if (!found)
            {
                if (reader.TokenType != JsonTokenType.StartObject || length + 1 >= name.Length) return false;
                name[length] = '.';
                if (!ReadFields(ref reader, name, length + 1, values, seen, ref given, ref pixels, row)) return false;
                continue;
            }
            if (seen[field]) return false;
            seen[field] = true;
            if (field >= count)
            {
                if (!Skip(ref reader)) return false;
                continue;
            }
            if (!TryValue(ref reader, field, values, ref pixels, row)) return false;
            given++;
        }
        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>The current property name, unescaped, into <paramref name="name"/> after its first <paramref name="prefix"/>
    /// characters; false where it does not fit or is no text (an escape of half a surrogate pair).</summary>
    private static bool Name(ref Utf8JsonReader reader, scoped Span<char> name, int prefix, out int length)
    {
        length = 0;
        // UTF-8 takes at least as many bytes as UTF-16 takes characters, and an escape more.
        if (reader.HasValueSequence || reader.ValueSpan.Length > name.Length - prefix) return false;
        try
        {
            length = prefix + reader.CopyString(name[prefix..]);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A value the model ignores, passed over as the table path reads it: a string or number it would fail to
    /// read (a lone surrogate escape, a number past double's range) is declined.</summary>
    private static bool Skip(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return !reader.ValueIsEscaped || Unescapes(ref reader);
            case JsonTokenType.Number:
                return reader.TryGetDouble(out _);
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                return true;
            default:
                return true;
        }
    }

    /// <summary>The field's value (a date's parts) into <paramref name="values"/>; false where the record path declines it.</summary>
    private bool TryValue(ref Utf8JsonReader reader, int field, scoped Span<double> values, ref byte[]? pixels, float[]? row)
    {
        var at = _form.Fields[field].Offset;
        var missing = reader.TokenType == JsonTokenType.Null;
        switch (_types[field])
        {
            case ColumnType.Image when row is null:
                // The model's one input: its pixels are the batch's, kept as they are.
                var picture = new byte[Size(field)];
                if (!RawPixels(ref reader, picture)) return false;
                pixels = picture;
                return true;
            case ColumnType.Image:
                // A picture beside the columns, normalised into the row.
                if (Size(field) > RecordPathBytes) return false;
                Span<byte> beside = stackalloc byte[Size(field)];
                if (!RawPixels(ref reader, beside)) return false;
                _form.Picture(field, beside, row!);
                return true;
            case ColumnType.Numeric:
                var (low, high) = _ranges[field];
                values[at] = double.NaN;
                return missing || reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out values[at]) && double.IsFinite(values[at]) && values[at] >= low && values[at] <= high;
            case ColumnType.Text:
                // As TypeCoercion leaves a text: trimmed, and "NA" and the like missing.
                string? words = null;
                if (!missing)
                {
                    if (reader.TokenType != JsonTokenType.String) return false;
                    try
                    {
                        words = reader.GetString()!;
                    }
                    catch (InvalidOperationException)
                    {
                        return false;
                    }
                    words = Values.IsMissing(words) ? null : words.Trim();
                }
                _form.Text(field, words, values);
                return true;
            case ColumnType.Boolean:
                values[at] = missing ? double.NaN : reader.TokenType == JsonTokenType.True ? 1 : 0;
                return missing || reader.TokenType is JsonTokenType.True or JsonTokenType.False;
            case ColumnType.DateTime:
                if (missing)
                {
                    _form.Date(field, null, values);
                    return true;
                }
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.ValueSpan.Length > MaxText) return false;
                // A date is read as the table path reads it: its text, "NA" and the like missing.
                var text = reader.GetString()!;
                if (Values.IsMissing(text)) _form.Date(field, null, values);
                else if (Values.TryDate(text, out var date)) _form.Date(field, date, values);
                else return false;
                return true;
            case ColumnType.Categorical when _form.Fields[field].Buckets is var buckets and > 0:
                // As TypeCoercion leaves a category (trimmed; "NA" and the like missing), then its bucket.
                values[at] = double.NaN;
                if (missing) return true;
                if (reader.TokenType != JsonTokenType.String) return false;
                string category;
                try
                {
                    category = reader.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
                if (Values.IsMissing(category)) return true;
                category = category.Trim();
                if (_categories[field] is { } known && !known.ContainsKey(category)) return false;
                values[at] = Lathe.Data.Transforms.HashEncode.Bucket(category, buckets);
                return true;
            default:
                values[at] = double.NaN;
                if (missing) return true;
                if (reader.TokenType != JsonTokenType.String || !Lookup(_categories[field]!.Value, ref reader, out var index)) return false;
                values[at] = index;
                return true;
        }
    }

    private int Size(int field) => _shapes[field].Channels * _shapes[field].Height * _shapes[field].Width;

    /// <summary>A picture sent as base64 of its raw pixels at the model's size, decoded straight from the body into
    /// <paramref name="pixels"/> (that many); false for anything else (an image file to decode, another size, base64 in
    /// another form), which the table path reads.</summary>
    private static bool RawPixels(ref Utf8JsonReader reader, scoped Span<byte> pixels)
    {
        var size = pixels.Length;
        var length = (size + 2) / 3 * 4;
        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence || reader.ValueSpan.Length > RecordPathBytes) return false;
        // System.Text.Json writes '+' as \u002B: unescaped on the stack, then only the one canonical base64 form of that
        // many bytes is taken (padded, no line breaks).
        Span<byte> text = stackalloc byte[reader.ValueSpan.Length];
        var written = reader.ValueIsEscaped ? reader.CopyString(text) : reader.ValueSpan.Length;
        if (!reader.ValueIsEscaped) reader.ValueSpan.CopyTo(text);
        if (written != length) return false;
        var status = System.Buffers.Text.Base64.DecodeFromUtf8(text[..length], pixels, out var read, out var decoded);
        return status == System.Buffers.OperationStatus.Done && read == length && decoded == size && !RecordTable.LooksEncoded(pixels);
    }

    /// <summary>The current name or string, unescaped, looked up; false for one longer than <see cref="MaxText"/>, one
    /// not found, or one the table path cannot read (an escape of half a surrogate pair).</summary>
    private static bool Lookup(Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup, ref Utf8JsonReader reader, out int value)
    {
        value = 0;
        // UTF-8 takes at least as many bytes as UTF-16 takes characters, and an escape more.
        if (reader.HasValueSequence || reader.ValueSpan.Length > MaxText) return false;
        Span<char> text = stackalloc char[MaxText];
        int length;
        try
        {
            length = reader.CopyString(text);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        return lookup.TryGetValue(text[..length], out value);
    }

    /// <summary>Whether an escaped string unescapes into text (not half a surrogate pair), as the table path's reading needs.</summary>
    private static bool Unescapes(ref Utf8JsonReader reader)
    {
        try
        {
            if (reader.HasValueSequence || reader.ValueSpan.Length > MaxText) reader.GetString();
            else
            {
                Span<char> text = stackalloc char[MaxText];
                reader.CopyString(text);
            }
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The answer to the record whose outputs are <paramref name="outputs"/>, counted in the predictions metric: the
    /// bytes are this thread's buffer (<see cref="Answers.OneClass"/>). Probabilities that are not finite numbers (an input far
    /// outside the training data, with out-of-range values accepted) are the table path's 422.</summary>
    public ReadOnlySpan<byte> Answer(string version, float[] outputs)
    {
        if (_target.Task != TaskKind.Classification)
        {
            _counted[0].Inc();
            return Answers.OneValue(version, _target.Decode(outputs[0]));
        }
        var classes = _target.Classes;
        Span<float> logits = stackalloc float[classes.Count];
        Span<float> probabilities = stackalloc float[classes.Count];
        for (var k = 0; k < classes.Count; k++) logits[k] = _target.Temperature is { } temperature ? Predictor.Tempered(outputs[k], temperature) : outputs[k];
        Predictor.Softmax(logits, probabilities, classes.Count);
        foreach (var p in probabilities)
            if (!float.IsFinite(p))
                throw LatheServer.NotFinite("the record");
        var top = Lathe.Evaluation.ClassificationMetrics.ArgMax(probabilities);
        _counted[top].Inc();
        return Answers.OneClass(version, classes[top], classes, probabilities);
    }
}
