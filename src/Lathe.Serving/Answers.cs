using System.Buffers;
using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;

namespace Lathe.Serving;

/// <summary>What one record's prediction is, as answered and logged: <c>prediction</c> (the class, the value, each
/// target's value, or the labels) and, for classification and multilabel, <c>probabilities</c> by class.</summary>
public sealed record Answer(object Prediction, IReadOnlyDictionary<string, float>? Probabilities);

public static class Answers
{
    public static IReadOnlyList<Answer> For(Predictions predictions)
    {
        var answers = new Answer[predictions.Count];
        var classes = predictions.Classes;
        for (var i = 0; i < answers.Length; i++)
        {
            answers[i] = predictions.Task switch
            {
                TaskKind.Classification => new Answer(predictions.Labels[i], Probabilities(predictions, i)),
                TaskKind.Multilabel => new Answer(Enumerable.Range(0, classes.Count).Where(l => predictions.Has(i, l)).Select(l => classes[l]).ToArray(), Probabilities(predictions, i)),
                _ when predictions.Targets is { } names => new Answer(names.Select((n, t) => (n, predictions.Values[i * names.Count + t])).ToDictionary(p => p.n, p => p.Item2), null),
                _ => new Answer(predictions.Values[i], null),
            };
        }
        return answers;
    }

    private static Dictionary<string, float> Probabilities(Predictions predictions, int row)
    {
        var classes = predictions.Classes;
        var probabilities = new Dictionary<string, float>(classes.Count, StringComparer.Ordinal);
        for (var k = 0; k < classes.Count; k++) probabilities[classes[k]] = predictions.Probabilities[row * classes.Count + k];
        return probabilities;
    }

    /// <summary>The response body: one record's answer with the model version, or <c>predictions</c> for several.</summary>
    public static byte[] Serialize(string version, IReadOnlyList<Answer> answers, bool single)
    {
        var writer = Begin(version);
        if (single) WriteAnswer(writer, answers[0]);
        else
        {
            writer.WriteStartArray("predictions");
            foreach (var answer in answers)
            {
                writer.WriteStartObject();
                WriteAnswer(writer, answer);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        var body = End(writer).ToArray();
        // A large answer's buffer is not kept.
        if (_buffer!.Capacity > KeptBufferBytes) (_buffer, _writer) = (null, null);
        return body;
    }

    /// <summary>One record's class and probabilities, as <see cref="Serialize"/> writes them, without an <see cref="Answer"/>:
    /// the record path's answer. The bytes are this thread's buffer, good until its next answer: copy them out before any await.</summary>
    public static ReadOnlySpan<byte> OneClass(string version, string label, IReadOnlyList<string> classes, scoped ReadOnlySpan<float> probabilities)
    {
        var writer = Begin(version);
        writer.WriteString("prediction", label);
        writer.WriteStartObject("probabilities");
        for (var k = 0; k < classes.Count; k++) writer.WriteNumber(classes[k], probabilities[k]);
        writer.WriteEndObject();
        return End(writer);
    }

    /// <summary>One record's value, as <see cref="Serialize"/> writes it; the bytes as <see cref="OneClass"/>'s.</summary>
    public static ReadOnlySpan<byte> OneValue(string version, double value)
    {
        var writer = Begin(version);
        writer.WritePropertyName("prediction");
        WriteNumber(writer, value);
        return End(writer);
    }

    private static Utf8JsonWriter Begin(string version)
    {
        // Each thread keeps its writer and buffer: a new Utf8JsonWriter takes a 4 KB buffer on its first write, which
        // was a fifth of what a one-record request allocated (docs/serving.md, "Allocations").
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("model_version", version);
        return writer;
    }

    private static ReadOnlySpan<byte> End(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.Flush();
        return _buffer!.WrittenSpan;
    }

    private const int KeptBufferBytes = 1 << 20;
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    private static void WriteAnswer(Utf8JsonWriter writer, Answer answer)
    {
        writer.WritePropertyName("prediction");
        switch (answer.Prediction)
        {
            case string label:
                writer.WriteStringValue(label);
                break;
            case double value:
                WriteNumber(writer, value);
                break;
            case string[] labels:
                writer.WriteStartArray();
                foreach (var label in labels) writer.WriteStringValue(label);
                writer.WriteEndArray();
                break;
            case Dictionary<string, double> values:
                writer.WriteStartObject();
                foreach (var (name, value) in values)
                {
                    writer.WritePropertyName(name);
                    WriteNumber(writer, value);
                }
                writer.WriteEndObject();
                break;
        }
        if (answer.Probabilities is null) return;
        writer.WriteStartObject("probabilities");
        foreach (var (name, p) in answer.Probabilities) writer.WriteNumber(name, p);
        writer.WriteEndObject();
    }

    // JSON has no NaN or infinity: a value the model cannot give as a number is null.
    private static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}
