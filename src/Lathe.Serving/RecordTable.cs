using System.Globalization;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using SkiaSharp;

namespace Lathe.Serving;

/// <summary>Checks request records against the bundle's input schema and turns the good ones into a table the fitted
/// pipeline takes. Every bad field of every record is listed, not only the first. Images come only as base64 in the
/// request: a string in an image field is never taken for a path, so no request makes the server read a file.</summary>
public static class RecordTable
{
    public static Table Build(RequestRecords request, ServedModel model, ServeOptions options)
    {
        var records = request.Records;
        var fields = model.Fields;
        var errors = new FieldErrors(request.Single);

        var names = model.FieldNames;
        for (var r = 0; r < records.Count; r++)
            foreach (var name in records[r].Keys)
                if (!names.Contains(name) && !model.IsIgnored(name))
                {
                    var nearest = ConfigNames.Nearest(name, names);
                    errors.Add(r, name, "unknown field" + (nearest is null ? $" — the model takes {string.Join(", ", names)}" : $" — did you mean '{nearest}'?"));
                }

        var columns = new Column[fields.Count];
        for (var f = 0; f < fields.Count; f++)
        {
            var field = fields[f];
            var values = new RawValue?[records.Count];
            // Text is read as the training file was: with its decimal comma and day-first dates.
            var written = field.Type == ColumnType.Image ? null : model.Written;
            for (var r = 0; r < values.Length; r++)
                if (!records[r].TryGetValue(field.Name, out var value)) errors.Add(r, field.Name, "missing — the model takes this field; send null for a missing value");
                else values[r] = written is not null && value is { Kind: RawKind.String, Text: { } text } ? value with { Text = CsvSource.AsRead(text, written) } : value;
            columns[f] = field.Type switch
            {
                ColumnType.Numeric => Numbers(field, values, options, errors),
                ColumnType.Image => Images(field, values, model.ImageShape(field.Name), errors),
                _ => Texts(field, values, options, errors, model.Written?.Dates == DateOrder.DayFirst),
            };
        }
        errors.All.ThrowIfAny();
        return new Table(columns, "request", rowUnit: "record");
    }

    /// <summary>A request's bad fields, each named where it is: the field alone for one record, <c>[i].field</c> in an array.</summary>
    private sealed class FieldErrors(bool single)
    {
        public ProblemErrors All { get; } = new();

        public void Add(int record, string field, string message) => All.Add(single ? field : $"[{record}].{field}", message);
    }

    private static NumericColumn Numbers(InputField field, RawValue?[] values, ServeOptions options, FieldErrors errors)
    {
        var numbers = new double[values.Length];
        var (low, high) = AcceptedRange(field);
        for (var r = 0; r < values.Length; r++)
        {
            numbers[r] = double.NaN;
            if (values[r] is not { } value) continue;
            switch (value.Kind)
            {
                case RawKind.Null:
                    continue;
                case RawKind.Number:
                    numbers[r] = value.Number;
                    break;
                case RawKind.String when Values.IsMissing(value.Text):
                    continue;
                case RawKind.String when Values.TryNumber(value.Text!, out var parsed):
                    numbers[r] = parsed;
                    break;
                case RawKind.String:
                    errors.Add(r, field.Name, $"'{Clip(value.Text!)}' is not a number");
                    continue;
                default:
                    errors.Add(r, field.Name, $"expected a number, got {value.Describe()}");
                    continue;
            }
            if (!double.IsFinite(numbers[r])) errors.Add(r, field.Name, $"{numbers[r]} is not a finite number");
            else if (options.RejectOutOfRange && (numbers[r] < low || numbers[r] > high))
                errors.Add(r, field.Name, $"{numbers[r].ToString("R", CultureInfo.InvariantCulture)} is out of range: the model accepts [{Show(low)}, {Show(high)}] (training rows spanned [{Show(field.Minimum!.Value)}, {Show(field.Maximum!.Value)}])");
        }
        return new NumericColumn(field.Name, numbers);
    }

    /// <summary>The training range widened by its own width on each side (by 1 for a constant column): values a model
    /// can still be asked about, without taking a unit mix-up (grams sent as kilograms, a year as a two-digit one) for data.</summary>
    public static (double Low, double High) AcceptedRange(InputField field)
    {
        if (field.Minimum is not { } min || field.Maximum is not { } max) return (double.NegativeInfinity, double.PositiveInfinity);
        var width = max > min ? max - min : Math.Max(1, Math.Abs(max));
        return (min - width, max + width);
    }

    private static StringColumn Texts(InputField field, RawValue?[] values, ServeOptions options, FieldErrors errors, bool dayFirst)
    {
        var texts = new string?[values.Length];
        var known = field.Categories is { } categories && options.RejectUnknownCategories && field.Type == ColumnType.Categorical
            ? categories.ToHashSet(StringComparer.Ordinal) : null;
        for (var r = 0; r < values.Length; r++)
        {
            if (values[r] is not { } value || value.Kind == RawKind.Null) continue;
            if (value.Kind is RawKind.Object or RawKind.Array)
            {
                errors.Add(r, field.Name, $"expected {Expected(field.Type, dayFirst)}, got {value.Describe()}");
                continue;
            }
            var text = value.AsText();
            if (Values.IsMissing(text)) continue;
            var ok = field.Type switch
            {
                ColumnType.Boolean => Values.TryBoolean(text!, out _) || Values.TryNumber(text!, out _),
                ColumnType.DateTime => Values.TryDate(text!, out _),
                _ => true,
            };
            if (!ok) errors.Add(r, field.Name, $"'{Clip(text!)}' is not {Expected(field.Type, dayFirst)}");
            else if (known is not null && !known.Contains(text!.Trim()))
                errors.Add(r, field.Name, $"'{Clip(text)}' is not a category the model knows — one of {string.Join(", ", field.Categories!.Take(20).Select(c => $"'{c}'"))}{(field.Categories!.Count > 20 ? ", …" : "")}");
            else texts[r] = text;
        }
        return new StringColumn(field.Name, texts);
    }

    private static string Expected(ColumnType type, bool dayFirst) => type switch
    {
        ColumnType.Boolean => "a boolean (true/false, yes/no, 1/0)",
        ColumnType.DateTime when dayFirst => "a date (ISO 8601, e.g. 2024-05-01 or 2024-05-01T13:45:00, or day first as the training file wrote them, e.g. 01/05/2024)",
        ColumnType.DateTime => "a date (ISO 8601, e.g. 2024-05-01 or 2024-05-01T13:45:00)",
        ColumnType.Text => "text",
        _ => "a category (a string)",
    };

    private static ImageColumn Images(InputField field, RawValue?[] values, (int Channels, int Height, int Width) shape, FieldErrors errors)
    {
        var (channels, height, width) = shape;
        var size = channels * height * width;
        var pixels = new byte[values.Length * size];
        for (var r = 0; r < values.Length; r++)
        {
            if (values[r] is not { } value) continue;
            if (value.Kind != RawKind.String)
            {
                errors.Add(r, field.Name, $"expected an image as a base64 string (a PNG, JPEG, BMP, GIF or WebP file, or {size} raw bytes {channels}×{height}×{width}), got {value.Describe()}");
                continue;
            }
            var text = value.Text!;
            var bytes = new byte[text.Length * 3 / 4 + 3];
            if (!Convert.TryFromBase64String(text, bytes, out var length))
            {
                errors.Add(r, field.Name, "not valid base64");
                continue;
            }
            var image = bytes.AsSpan(0, length);
            if (length == size && !LooksEncoded(image)) image.CopyTo(pixels.AsSpan(r * size, size));
            else if (!Decode(image, channels, height, width, pixels.AsSpan(r * size, size)))
                errors.Add(r, field.Name, $"not an image: {length} bytes that are neither a PNG, JPEG, BMP, GIF or WebP file nor {size} raw pixels ({channels}×{height}×{width})");
        }
        return new ImageColumn(field.Name, pixels, channels, height, width);
    }

    /// <summary>Whether decoded bytes start as an image file does (PNG, JPEG, GIF, BMP, WebP), not as raw pixels.</summary>
    internal static bool LooksEncoded(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || bytes.StartsWith("GIF8"u8) || bytes.StartsWith("BM"u8) || (bytes.Length > 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8));

    /// <summary>An encoded image → channel-first pixels at the model's size, as the image sources load files.</summary>
    private static bool Decode(ReadOnlySpan<byte> encoded, int channels, int height, int width, Span<byte> into)
    {
        using var data = SKData.CreateCopy(encoded);
        using var decoded = SKBitmap.Decode(data);
        if (decoded is null) return false;
        var gray = true;
        var rgb = ImageDecoder.ToRgb(decoded, height, width, ref gray);
        if (rgb is null) return false;
        ImageDecoder.Pack("image", [rgb], height, width, channels).Pixels.CopyTo(into);
        return true;
    }

    private static string Show(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
