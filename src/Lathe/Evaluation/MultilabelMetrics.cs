namespace Lathe.Evaluation;

/// <summary>The metrics of multilabel predictions (each row any number of yes/no labels), as scikit-learn computes
/// them: subset accuracy (every label of a row right), Hamming loss (share of wrong labels), micro F1 (over all
/// label decisions pooled), macro F1 (mean of the per-label F1s), ROC-AUC (mean over the labels where both classes
/// occur) and the mean binary log loss. A label is predicted when its probability is at least <see cref="Threshold"/>.</summary>
public static class MultilabelMetrics
{
    public const double Threshold = 0.5;

    /// <param name="truth">Row-major [rows, labels] 0/1 truth.</param>
    /// <param name="probabilities">Row-major [rows, labels] probabilities.</param>
    public static MetricSet Compute(ReadOnlySpan<double> truth, ReadOnlySpan<float> probabilities, int labels)
    {
        var rows = truth.Length / labels;
        var perLabel = PerLabel(truth, probabilities, labels);
        long exact = 0, wrong = 0;
        double logLoss = 0;
        for (var i = 0; i < rows; i++)
        {
            var allRight = true;
            for (var l = 0; l < labels; l++)
            {
                var p = probabilities[i * labels + l];
                var positive = truth[i * labels + l] == 1;
                if (positive != (p >= Threshold)) { wrong++; allRight = false; }
                logLoss -= Math.Log(Math.Clamp(positive ? p : 1 - p, 1e-15, 1));
            }
            if (allRight) exact++;
        }
        long tp = perLabel.Sum(s => s.TruePositive), fp = perLabel.Sum(s => s.FalsePositive), fn = perLabel.Sum(s => s.FalseNegative);
        var n = Math.Max(1, rows);
        var metrics = new MetricSet
        {
            ["subset_accuracy"] = (double)exact / n,
            ["hamming_loss"] = (double)wrong / Math.Max(1, rows * labels),
            ["micro_f1"] = F1(tp, fp, fn),
            ["macro_f1"] = perLabel.Average(s => s.F1),
            ["log_loss"] = logLoss / Math.Max(1, rows * labels),
        };
        var aucs = perLabel.Where(s => s.RocAuc is not null).Select(s => s.RocAuc!.Value).ToArray();
        if (aucs.Length > 0) metrics["roc_auc"] = aucs.Average();
        return metrics;
    }

    /// <summary>Each label's counts, precision, recall, F1 (0 where undefined, as scikit-learn's zero_division=0)
    /// and ROC-AUC (null when the truth has one class only).</summary>
    public static LabelScore[] PerLabel(ReadOnlySpan<double> truth, ReadOnlySpan<float> probabilities, int labels)
    {
        var rows = truth.Length / labels;
        var scores = new LabelScore[labels];
        var positive = new bool[rows];
        var column = new float[rows];
        for (var l = 0; l < labels; l++)
        {
            long tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < rows; i++)
            {
                positive[i] = truth[i * labels + l] == 1;
                column[i] = probabilities[i * labels + l];
                var predicted = column[i] >= Threshold;
                if (predicted && positive[i]) tp++;
                else if (predicted) fp++;
                else if (positive[i]) fn++;
            }
            var auc = Curves.Roc(positive, column)?.Area;
            scores[l] = new LabelScore(tp, fp, fn, tp + fn, Ratio(tp, tp + fp), Ratio(tp, tp + fn), F1(tp, fp, fn), auc);
        }
        return scores;
    }

    private static double F1(long tp, long fp, long fn) => Ratio(2 * tp, 2 * tp + fp + fn);

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
}
