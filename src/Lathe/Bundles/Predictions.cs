using System.Globalization;
using System.Text;
using Lathe.Config;

namespace Lathe.Bundles;

/// <summary>A model's answers for a set of rows: for classification the predicted class and one probability
/// per class; for regression the predicted value on the target's own scale (several targets: row-major, one per
/// name in <see cref="Targets"/>); for multilabel one probability per label (<see cref="Classes"/>), row-major,
/// the label predicted when it is at least its threshold (<see cref="Thresholds"/>, else
/// <see cref="Evaluation.MultilabelMetrics.Threshold"/>).</summary>
public sealed record Predictions(TaskKind Task, IReadOnlyList<string> Classes, string[] Labels, float[] Probabilities, double[] Values,
    IReadOnlyList<string>? Targets = null, IReadOnlyList<double>? Thresholds = null)
{
    public int Count => Task switch
    {
        TaskKind.Classification => Labels.Length,
        TaskKind.Multilabel => Probabilities.Length / Math.Max(1, Classes.Count),
        _ => Values.Length / (Targets?.Count ?? 1),
    };

    /// <summary>Whether row <paramref name="row"/> has label <paramref name="label"/> (multilabel).</summary>
    public bool Has(int row, int label) => Probabilities[row * Classes.Count + label] >= (Thresholds?[label] ?? Evaluation.MultilabelMetrics.Threshold);

    /// <summary>The output's column names, as in <see cref="WriteCsv"/>'s header: <c>predicted_TARGET</c>, then <c>p_CLASS</c>
    /// per class for classification; <c>predicted_TARGET</c> per target with several; <c>predicted_LABEL</c> then
    /// <c>p_LABEL</c> per label for multilabel.</summary>
    public IReadOnlyList<string> ColumnNames(string target)
    {
        if (Task == TaskKind.Multilabel) return [.. Classes.Select(n => $"predicted_{n}"), .. Classes.Select(n => $"p_{n}")];
        if (Targets is not null) return Targets.Select(n => $"predicted_{n}").ToArray();
        return IsLabelled ? [$"predicted_{target}", .. Classes.Select(c => $"p_{c}")] : [$"predicted_{target}"];
    }

    /// <summary>One class label per row, with a probability per class (classification of one target).</summary>
    public bool IsLabelled => Task == TaskKind.Classification && Targets is null;

    /// <summary>CSV with one row per input row, under a header of <see cref="ColumnNames"/> (left out with
    /// <paramref name="header"/> false, for a batch that follows others): the prediction and its probabilities,
    /// numbers written so that they read back to the same bits; a multilabel prediction as 0/1. Rows at the positions
    /// <paramref name="absent"/> lists (ascending, among <c>Count + absent.Count</c> rows written) have every field empty.</summary>
    public void WriteCsv(TextWriter writer, string target, bool header = true, IReadOnlyList<int>? absent = null)
    {
        var names = ColumnNames(target);
        if (header) writer.WriteLine(string.Join(",", names.Select(Csv)));
        var line = new StringBuilder();
        // A lone column's empty row is written as "": a blank line is one that CSV readers skip.
        var empty = names.Count == 1 ? "\"\"" : new string(',', names.Count - 1);
        var several = Task == TaskKind.Multilabel ? Classes.Count : Targets?.Count ?? 1;
        var next = 0;
        for (var i = 0; i < Count; i++)
        {
            for (; absent is not null && next < absent.Count && absent[next] == i + next; next++) writer.WriteLine(empty);
            line.Clear();
            if (Task == TaskKind.Multilabel)
            {
                for (var l = 0; l < several; l++) line.Append(l > 0 ? "," : "").Append(Has(i, l) ? '1' : '0');
                for (var l = 0; l < several; l++) line.Append(',').Append(Probabilities[i * several + l].ToString("R", CultureInfo.InvariantCulture));
            }
            else if (IsLabelled)
            {
                line.Append(Csv(Labels[i]));
                for (var k = 0; k < Classes.Count; k++)
                    line.Append(',').Append(Probabilities[i * Classes.Count + k].ToString("R", CultureInfo.InvariantCulture));
            }
            else
            {
                for (var t = 0; t < several; t++) line.Append(t > 0 ? "," : "").Append(Values[i * several + t].ToString("R", CultureInfo.InvariantCulture));
            }
            writer.WriteLine(line);
        }
        for (; absent is not null && next < absent.Count; next++) writer.WriteLine(empty);
    }

    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
