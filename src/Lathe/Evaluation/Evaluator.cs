using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Pipeline;
using Lathe.Training;

namespace Lathe.Evaluation;

/// <summary>Scores a trained bundle on labelled data it has not seen, through the same predictor as every
/// other prediction path.</summary>
public static class Evaluator
{
    /// <param name="report">Where to write <c>report.html</c>, if anywhere; its learning curves come from the
    /// training run's <c>metrics.json</c> when one lies beside the bundle.</param>
    /// <param name="setAside">Where the rows that cannot be scored go instead of stopping the evaluation: the lines the
    /// reader could not split, values that do not fit their column's type, and labels the model cannot be scored on (a
    /// class it was not trained on, a regression target that is not a number), in line order. Without it the first such
    /// row is an error naming it.</param>
    public static EvaluationResult Evaluate(Bundle bundle, Table data, string? report = null, string? bundlePath = null, QuarantineWriter? setAside = null)
    {
        var target = bundle.Target;
        foreach (var name in target.Names)
            if (!data.Contains(name)) throw data.MissingColumn(name, "target column (evaluation needs the true labels)");
        var aside = 0;
        if (setAside is not null)
        {
            var (clean, quarantined) = Quarantine.Screen(data, bundle.Pipeline.Schema, null);
            var labels = target.BadLabels(clean);
            var unscorable = labels.Select(b => b.Row).ToHashSet();
            data = unscorable.Count == 0 ? clean : clean.Gather(Enumerable.Range(0, clean.RowCount).Where(r => !unscorable.Contains(r)).ToArray());
            var rows = quarantined.Concat(labels.Select(b => new QuarantinedRow(clean.LineOf(b.Row), b.Reason, clean.RowText(b.Row)))).OrderBy(q => q.Line).ToArray();
            foreach (var row in rows) setAside.Write(row);
            aside = rows.Length;
        }
        // Rows without a label cannot be scored; they are counted, as in training.
        var labelled = FittedTarget.RowsWithTargets(data, target.Names);
        var dropped = data.RowCount - labelled.Length;
        if (dropped > 0) data = data.Gather(labelled);
        if (data.RowCount == 0)
            throw new DataException($"{data.Source}: no row is left to score ({aside:N0} set aside, {dropped:N0} without a label)");
        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(data);
        var classes = target.Task == TaskKind.Classification ? target.EncodeClasses(data) : null;
        var values = target.Task == TaskKind.Classification ? null : target.NumbersOf(data);
        var score = Scoring.Score(target, predictions, classes, values);
        if (report is not null)
            EvaluationReport.Write(report, new ReportInput($"Evaluation of '{target.Name}'", $"data in {Path.GetFileName(data.Source)}", target, data,
                predictions, classes, values, score.Metrics, bundle.Manifest.Metric, bundlePath is null ? [] : HistoryBeside(bundlePath), Schema: bundle.Pipeline.Schema));
        return new EvaluationResult(target.Task, target.Name, bundle.Manifest.Metric, data.RowCount, dropped, score.Metrics, target.Classes, score.ConfusionRows) { SetAside = aside };
    }

    /// <summary>The epochs of the training run that wrote the bundle, from its metrics.json; none when it is not there.</summary>
    public static IReadOnlyList<EpochRecord> HistoryBeside(string bundlePath)
    {
        var metrics = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(bundlePath))!, TrainingRun.MetricsFile);
        if (!File.Exists(metrics)) return [];
        return JsonSerializer.Deserialize<RunMetrics>(File.ReadAllBytes(metrics), BundleJson.Options)?.History ?? [];
    }
}

/// <summary>What <c>lathe evaluate</c> writes as <c>metrics.json</c>.</summary>
public sealed record EvaluationResult(TaskKind Task, string Target, MetricKind Metric, int Rows, int DroppedMissingTarget, MetricSet Test, IReadOnlyList<string> Classes, long[][]? ConfusionMatrix)
{
    /// <summary>With <c>--bad-rows</c>: the rows that could not be scored, listed in that file.</summary>
    public int SetAside { get; init; }
}
