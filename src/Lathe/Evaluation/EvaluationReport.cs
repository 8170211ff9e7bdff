using System.Globalization;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Schema;
using Lathe.Reporting;
using ScottPlot;

namespace Lathe.Evaluation;

/// <summary><c>report.html</c>: how a model did on rows it did not train on, as one self-contained page —
/// the metrics, learning curves, and for classification the confusion matrix, ROC and precision–recall
/// curves, calibration, the per-class table and the most confident mistakes; for regression predicted
/// against actual, the residuals and the largest errors.</summary>
public static class EvaluationReport
{
    public const string FileName = "report.html";
    private const int Worst = 12;

    public static void Write(string path, ReportInput input) => Build(input).Save(path);

    public static HtmlReport Build(ReportInput input)
    {
        var report = new HtmlReport(input.Title);
        var target = input.Target;
        report.Paragraph($"{ConfigNames.Of(target.Task)} of '{target.Name}', scored on the {input.Part} ({input.Predictions.Count} rows).", "muted");
        report.Heading("Metrics", id: "metrics");
        report.Table(["metric", "value"], input.Metrics.Select(m => (IReadOnlyList<string>)[m.Key, Charts.Number(m.Value)]), "metrics");
        if (input.CrossValidation is { } cv) CrossValidationTable(report, cv);
        if (input.History.Count > 0) LearningCurves(report, input);
        if (target.Task == TaskKind.Classification) Classification(report, input);
        else if (target.Task == TaskKind.Multilabel) Multilabel(report, input);
        else if (target.Columns is not null) SeveralTargets(report, input);
        else Regression(report, input);
        return report;
    }

    private static void CrossValidationTable(HtmlReport report, Training.CrossValidationResult cv)
    {
        report.Heading($"Cross-validation ({cv.Folds} folds)", id: "cv");
        report.Paragraph($"Each fold's model trained on the other folds of the training and validation rows and was scored on the fold; the test part took no part. Mean ± sample standard deviation over the folds; the selection metric is {ConfigNames.Of(cv.Metric)}.", "muted");
        report.Table(["metric", "mean ± std", .. cv.PerFold.Select(f => $"fold {f.Fold}")], cv.Summary.Select(m => (IReadOnlyList<string>)
        [
            m.Key, $"{Charts.Number(m.Value.Mean)} ± {Charts.Number(m.Value.Std)}",
            .. cv.PerFold.Select(f => f.Metrics.TryGetValue(m.Key, out var v) ? Charts.Number(v) : "–"),
        ]), "cv");
    }

    private static void LearningCurves(HtmlReport report, ReportInput input)
    {
        var epochs = input.History.Select(e => (double)e.Epoch).ToArray();
        var metric = ConfigNames.Of(input.Metric);
        report.Heading("Learning curves", id: "learning");
        report.Open("plots", "div");
        report.Figure(Charts.Lines(
        [
            ("training loss", epochs, input.History.Select(e => e.TrainLoss).ToArray()),
            ("validation loss", epochs, input.History.Select(e => e.ValidationLoss).ToArray()),
        ], "epoch", "loss"), "Loss per epoch: training (mean over the epoch's batches) and validation.");
        report.Figure(Charts.Lines([($"validation {metric}", epochs, input.History.Select(e => e.ValidationMetric).ToArray())], "epoch", metric),
            $"Validation {metric} per epoch.");
        report.Close();
    }

    private static void Classification(HtmlReport report, ReportInput input)
    {
        var classes = input.Target.Classes;
        var k = classes.Count;
        var truth = input.Classes!;
        var probabilities = input.Predictions.Probabilities;
        var (_, confusion) = ClassificationMetrics.Compute(truth, probabilities, k);
        var perClass = ClassificationMetrics.PerClass(confusion);

        var positive = new bool[truth.Length];
        var scores = new float[truth.Length];
        var roc = new List<(string, double[], double[])>();
        var pr = new List<(string, double[], double[])>();
        var auc = new double?[k];
        for (var c = 0; c < k; c++)
        {
            for (var i = 0; i < truth.Length; i++)
            {
                positive[i] = truth[i] == c;
                scores[i] = probabilities[i * k + c];
            }
            if (Curves.Roc(positive, scores) is { } r)
            {
                auc[c] = r.Area;
                roc.Add(($"{classes[c]} (AUC {r.Area:0.000})", r.X, r.Y));
            }
            if (Curves.PrecisionRecall(positive, scores) is { } p) pr.Add(($"{classes[c]} (AP {p.Area:0.000})", p.X, p.Y));
        }

        report.Heading("Per class", id: "classes");
        report.Table(["class", "precision", "recall", "F1", "support", "ROC-AUC"], Enumerable.Range(0, k).Select(c => (IReadOnlyList<string>)
        [
            classes[c], Fixed(perClass[c].Precision), Fixed(perClass[c].Recall), Fixed(perClass[c].F1),
            perClass[c].Support.ToString(CultureInfo.InvariantCulture), auc[c] is { } a ? Fixed(a) : "–",
        ]), "per-class");

        report.Heading("Confusion matrix and calibration", id: "confusion");
        report.Open("plots", "div");
        report.Figure(Charts.Heatmap(confusion, classes, "predicted", "true"),
            "Confusion matrix: rows are the true classes, columns the predicted ones; shading is the share of the row.");
        var bins = Calibration.Bins(truth, probabilities, k);
        var filled = bins.Where(b => b.Count > 0).ToArray();
        report.Figure(Charts.UnitCurves([("model", filled.Select(b => b.Confidence).ToArray(), filled.Select(b => b.Accuracy).ToArray())],
                "confidence (probability of the predicted class)", "accuracy", diagonal: true, Alignment.UpperLeft),
            $"Calibration: accuracy against confidence in {bins.Length} equal bins ({string.Join(", ", filled.Select(b => $"{b.From:0.0}–{b.To:0.0}: {b.Count}"))} rows); " +
            $"the dashed line is perfect calibration. Expected calibration error {Calibration.ExpectedError(bins):0.000}." +
            (input.Target.Temperature is { } temperature
                ? $" The probabilities are the softmax of the logits divided by {temperature.ToString("0.###", CultureInfo.InvariantCulture)}, the temperature fitted on the validation part (training.calibrate)."
                : ""));
        report.Close();

        report.Heading("ROC and precision–recall curves (one class against the rest)", id: "curves");
        report.Open("plots", "div");
        if (roc.Count > 0)
            report.Figure(Charts.UnitCurves(roc, "false positive rate", "true positive rate", diagonal: true), "ROC curves; the dashed line is chance.");
        if (pr.Count > 0)
            report.Figure(Charts.UnitCurves(pr, "recall", "precision", diagonal: false, Alignment.LowerLeft), "Precision–recall curves, with average precision (AP).");
        report.Close();

        WorstMistakes(report, input, truth, probabilities, k);
    }

    /// <summary>The wrong predictions the model was surest of: often mislabelled rows, or what the model confuses.</summary>
    private static void WorstMistakes(HtmlReport report, ReportInput input, long[] truth, float[] probabilities, int k)
    {
        var classes = input.Target.Classes;
        var wrong = new List<(int Row, int Predicted, float Confidence)>();
        for (var i = 0; i < truth.Length; i++)
        {
            var row = probabilities.AsSpan(i * k, k);
            var predicted = ClassificationMetrics.ArgMax(row);
            if (predicted != truth[i]) wrong.Add((i, predicted, row[predicted]));
        }
        var worst = wrong.OrderByDescending(w => w.Confidence).ThenBy(w => w.Row).Take(Worst).ToArray();
        report.Heading("Most confident mistakes", id: "mistakes");
        if (worst.Length == 0)
        {
            report.Paragraph("No row was misclassified.");
            return;
        }
        report.Paragraph($"{wrong.Count} of {truth.Length} rows are misclassified; the {worst.Length} the model was surest of:", "muted");
        var columns = FeatureColumns(input);
        if (Images(input, worst.Select(w => w.Row).ToArray()) is { Count: > 0 } images)
        {
            // Beside the images (side by side when a row has several), the row's other columns (a table fused with
            // them) go in the caption.
            var others = columns.Where(c => images.All(i => i.Name != c.Name)).Take(4).ToArray();
            report.Gallery(worst.Select((w, i) => (Thumbnail.Png(images, i),
                $"{input.Rows.RowName(w.Row)}: {classes[(int)truth[w.Row]]}, predicted {classes[w.Predicted]} ({HtmlReport.Percent(w.Confidence)})"
                + string.Concat(others.Select(c => $"; {c.Name} {Cell(c, w.Row)}")))));
            return;
        }
        report.Table(["row", "true", "predicted", "confidence", .. columns.Select(c => c.Name)],
            worst.Select(w => (IReadOnlyList<string>)
            [
                input.Rows.RowName(w.Row), classes[(int)truth[w.Row]], classes[w.Predicted], HtmlReport.Percent(w.Confidence),
                .. columns.Select(c => Cell(c, w.Row)),
            ]), "mistakes");
    }

    private static void Regression(HtmlReport report, ReportInput input)
    {
        var actual = input.Values!;
        var predicted = input.Predictions.Values;
        var residuals = predicted.Select((p, i) => p - actual[i]).ToArray();
        var name = input.Target.Name;
        report.Heading("Predictions and residuals", id: "residuals");
        report.Open("plots", "div");
        report.Figure(Charts.Points(actual, predicted, $"actual {name}", $"predicted {name}", 1, 0),
            "Predicted against actual; the dashed line is a perfect prediction.");
        report.Figure(Charts.Points(predicted, residuals, $"predicted {name}", "residual (predicted − actual)", 0, 0),
            "Residuals against the prediction: a pattern here is something the model has not learnt.");
        report.Close();

        var worst = Enumerable.Range(0, actual.Length).OrderByDescending(i => Math.Abs(residuals[i])).ThenBy(i => i).Take(Worst).ToArray();
        report.Heading("Largest errors", id: "mistakes");
        var columns = FeatureColumns(input);
        report.Table(["row", "actual", "predicted", "error", .. columns.Select(c => c.Name)],
            worst.Select(i => (IReadOnlyList<string>)
            [
                input.Rows.RowName(i), Charts.Number(actual[i]), Charts.Number(predicted[i]), Charts.Number(residuals[i]),
                .. columns.Select(c => Cell(c, i)),
            ]), "mistakes");
    }

    /// <summary>Multilabel: each label's precision, recall, F1 and ROC-AUC at the threshold, and its ROC curve.</summary>
    private static void Multilabel(HtmlReport report, ReportInput input)
    {
        var labels = input.Target.Classes;
        var truth = input.Values!;
        var probabilities = input.Predictions.Probabilities;
        var thresholds = input.Predictions.Thresholds;
        var scores = MultilabelMetrics.PerLabel(truth, probabilities, labels.Count, thresholds);
        report.Heading("Per label", id: "labels");
        report.Paragraph(thresholds is null
            ? $"A label is predicted when its probability is at least {MultilabelMetrics.Threshold}; ROC-AUC where the label has both classes among these rows."
            : "A label is predicted when its probability is at least its threshold (training.threshold, or tuned on the validation part); ROC-AUC where the label has both classes among these rows.", "muted");
        report.Table(["label", "threshold", "precision", "recall", "F1", "support", "predicted", "ROC-AUC"], Enumerable.Range(0, labels.Count).Select(l => (IReadOnlyList<string>)
        [
            labels[l], Fixed(thresholds?[l] ?? MultilabelMetrics.Threshold), Fixed(scores[l].Precision), Fixed(scores[l].Recall), Fixed(scores[l].F1), scores[l].Support.ToString(CultureInfo.InvariantCulture),
            (scores[l].TruePositive + scores[l].FalsePositive).ToString(CultureInfo.InvariantCulture), scores[l].RocAuc is { } a ? Fixed(a) : "–",
        ]), "per-label");
        var roc = new List<(string, double[], double[])>();
        var rows = truth.Length / labels.Count;
        for (var l = 0; l < labels.Count; l++)
        {
            var positive = new bool[rows];
            var column = new float[rows];
            for (var i = 0; i < rows; i++) (positive[i], column[i]) = (truth[i * labels.Count + l] == 1, probabilities[i * labels.Count + l]);
            if (Curves.Roc(positive, column) is { } r) roc.Add(($"{labels[l]} (AUC {r.Area:0.000})", r.X, r.Y));
        }
        if (roc.Count == 0) return;
        report.Heading("ROC curves (one per label)", id: "curves");
        report.Open("plots", "div");
        report.Figure(Charts.UnitCurves(roc, "false positive rate", "true positive rate", diagonal: true), "ROC curves; the dashed line is chance.");
        report.Close();
    }

    /// <summary>Several regression targets: predicted against actual and the residuals, per target.</summary>
    private static void SeveralTargets(HtmlReport report, ReportInput input)
    {
        var names = input.Target.Names;
        report.Heading("Predictions and residuals, per target", id: "residuals");
        for (var t = 0; t < names.Count; t++)
        {
            var actual = Scoring.Column(input.Values!, t, names.Count);
            var predicted = Scoring.Column(input.Predictions.Values, t, names.Count);
            var residuals = predicted.Select((p, i) => p - actual[i]).ToArray();
            report.Open("plots", "div");
            report.Figure(Charts.Points(actual, predicted, $"actual {names[t]}", $"predicted {names[t]}", 1, 0),
                $"'{names[t]}': predicted against actual; the dashed line is a perfect prediction.");
            report.Figure(Charts.Points(predicted, residuals, $"predicted {names[t]}", "residual (predicted − actual)", 0, 0),
                $"'{names[t]}': residuals against the prediction.");
            report.Close();
        }
    }

    /// <summary>The columns a reader recognises a row by: every plain column but the targets, at most ten.</summary>
    /// <summary>The images of <paramref name="rows"/>, in that order, one column per image column: the rows' own image
    /// columns, or loaded from the image-path columns the schema names; empty when the rows have no images.</summary>
    private static IReadOnlyList<ImageColumn> Images(ReportInput input, int[] rows)
    {
        var own = input.Rows.Columns.OfType<ImageColumn>().Select(images => (ImageColumn)images.Gather(rows)).ToArray();
        if (own.Length > 0) return own;
        var specs = input.Schema?.Features.Where(c => c.Type == ColumnType.Image && input.Rows.Contains(c.Name)).ToArray() ?? [];
        if (specs.Length == 0) return [];
        var picked = input.Rows.Gather(rows);
        var loaded = Data.Cleaning.TypeCoercion.Apply(picked.With(specs.Select(spec => picked[spec.Name]).ToArray()), new DataSchema(specs));
        return specs.Select(spec => (ImageColumn)loaded[spec.Name]).ToArray();
    }

    private static Column[] FeatureColumns(ReportInput input) =>
        input.Rows.Columns.Where(c => !input.Target.Names.Contains(c.Name) && c is NumericColumn or StringColumn).Take(10).ToArray();

    private static string Cell(Column column, int row) => column switch
    {
        NumericColumn n => double.IsNaN(n.Values[row]) ? "" : Charts.Number(n.Values[row]),
        StringColumn s => s.Values[row] is { } v && v.Length > 40 ? v[..39] + "…" : s.Values[row] ?? "",
        _ => "",
    };

    private static string Fixed(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
