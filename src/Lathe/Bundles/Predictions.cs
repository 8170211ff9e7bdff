using System.Globalization;
using System.Text;
using Lathe.Config;

namespace Lathe.Bundles;

/// <summary>A model's answers for a set of rows: for classification the predicted class and one probability
/// per class; for regression the predicted value on the target's own scale.</summary>
public sealed record Predictions(TaskKind Task, IReadOnlyList<string> Classes, string[] Labels, float[] Probabilities, double[] Values)
{
    public int Count => Task == TaskKind.Classification ? Labels.Length : Values.Length;

    /// <summary>CSV with one row per input row: the prediction, then <c>p_CLASS</c> per class for classification.</summary>
    public void WriteCsv(TextWriter writer, string target)
    {
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

    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
