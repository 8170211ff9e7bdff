using System.Globalization;
using System.Text;
using Lathe.Config;

namespace Lathe.Bundles;

/// <summary>A model's answers for a set of rows: for classification the predicted class and one probability
/// per class; for regression the predicted value on the target's own scale (several targets: row-major, one per
/// name in <see cref="Targets"/>); for multilabel one probability per label (<see cref="Classes"/>), row-major,
/// the label predicted when it is at least <see cref="Evaluation.MultilabelMetrics.Threshold"/>.</summary>
public sealed record Predictions(TaskKind Task, IReadOnlyList<string> Classes, string[] Labels, float[] Probabilities, double[] Values,
    IReadOnlyList<string>? Targets = null)
{
    public int Count => Task switch
    {
        TaskKind.Classification => Labels.Length,
        TaskKind.Multilabel => Probabilities.Length / Math.Max(1, Classes.Count),
        _ => Values.Length / (Targets?.Count ?? 1),
    };

    /// <summary>Whether row <paramref name="row"/> has label <paramref name="label"/> (multilabel).</summary>
    public bool Has(int row, int label) => Probabilities[row * Classes.Count + label] >= Evaluation.MultilabelMetrics.Threshold;

    /// <summary>CSV with one row per input row: the prediction, then <c>p_CLASS</c> per class for classification;
    /// <c>predicted_TARGET</c> per target with several; <c>predicted_LABEL</c> (0/1) and <c>p_LABEL</c> per label for multilabel.</summary>
    public void WriteCsv(TextWriter writer, string target)
    {
        if (Task == TaskKind.Multilabel || Targets is not null)
        {
            WriteSeveral(writer);
            return;
        }
        var header = new List<string> { $"predicted_{target}" };
        if (Task == TaskKind.Classification) header.AddRange(Classes.Select(c => $"p_{c}"));
        writer.WriteLine(string.Join(",", header.Select(Csv)));
        var line = new StringBuilder();
        for (var i = 0; i < Count; i++)
        {
            line.Clear();
            if (Task == TaskKind.Classification)
            {
                line.Append(Csv(Labels[i]));
                for (var k = 0; k < Classes.Count; k++)
                    line.Append(',').Append(Probabilities[i * Classes.Count + k].ToString("R", CultureInfo.InvariantCulture));
            }
            else
            {
                line.Append(Values[i].ToString("R", CultureInfo.InvariantCulture));
            }
            writer.WriteLine(line);
        }
    }

    private void WriteSeveral(TextWriter writer)
    {
        var names = Task == TaskKind.Multilabel ? Classes : Targets!;
        var header = names.Select(n => $"predicted_{n}");
        if (Task == TaskKind.Multilabel) header = header.Concat(names.Select(n => $"p_{n}"));
        writer.WriteLine(string.Join(",", header.Select(Csv)));
        var line = new StringBuilder();
        var width = names.Count;
        for (var i = 0; i < Count; i++)
        {
            line.Clear();
            if (Task == TaskKind.Multilabel)
            {
                for (var l = 0; l < width; l++) line.Append(l > 0 ? "," : "").Append(Has(i, l) ? '1' : '0');
                for (var l = 0; l < width; l++) line.Append(',').Append(Probabilities[i * width + l].ToString("R", CultureInfo.InvariantCulture));
            }
            else
            {
                for (var t = 0; t < width; t++) line.Append(t > 0 ? "," : "").Append(Values[i * width + t].ToString("R", CultureInfo.InvariantCulture));
            }
            writer.WriteLine(line);
        }
    }

    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
