namespace Lathe.Evaluation;

/// <summary>The metrics of multilabel predictions (each row any number of yes/no labels), as scikit-learn computes
/// them: subset accuracy (every label of a row right), Hamming loss (share of wrong labels), micro F1 (over all
/// label decisions pooled), macro F1 (mean of the per-label F1s), ROC-AUC (mean over the labels where both classes
/// occur) and the mean binary log loss. A label is predicted when its probability is at least its threshold: one per
/// label when given, else <see cref="Threshold"/>.</summary>
public static class MultilabelMetrics
{
    public const double Threshold = 0.5;

    /// <param name="truth">Row-major [rows, labels] 0/1 truth.</param>
    /// <param name="probabilities">Row-major [rows, labels] probabilities.</param>
    /// <param name="thresholds">Each label's threshold; null: <see cref="Threshold"/> for all.</param>
    public static MetricSet Compute(ReadOnlySpan<double> truth, ReadOnlySpan<float> probabilities, int labels, IReadOnlyList<double>? thresholds = null)
    {
        var rows = truth.Length / labels;
        var perLabel = PerLabel(truth, probabilities, labels, thresholds);
        long exact = 0, wrong = 0;
        double logLoss = 0;
        for (var i = 0; i < rows; i++)
        {
            var allRight = true;
            for (var l = 0; l < labels; l++)
            {
                var p = probabilities[i * labels + l];
                var positive = truth[i * labels + l] == 1;
                if (positive != (p >= (thresholds?[l] ?? Threshold))) { wrong++; allRight = false; }
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
    public static LabelScore[] PerLabel(ReadOnlySpan<double> truth, ReadOnlySpan<float> probabilities, int labels, IReadOnlyList<double>? thresholds = null)
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
                var predicted = column[i] >= (thresholds?[l] ?? Threshold);
                if (predicted && positive[i]) tp++;
                else if (predicted) fp++;
                else if (positive[i]) fn++;
            }
            var auc = Curves.Roc(positive, column)?.Area;
            scores[l] = new LabelScore(tp, fp, fn, tp + fn, Ratio(tp, tp + fp), Ratio(tp, tp + fn), F1(tp, fp, fn), auc);
        }
        return scores;
    }

    /// <summary>Per label, the threshold that maximises its F1 over these rows: the probabilities sorted from the highest,
    /// every cut between two distinct values tried (and predicting none), the cut placed halfway between them; among
    /// equal F1s the one nearest <see cref="Threshold"/>. A label with no positive row keeps <see cref="Threshold"/>. The
    /// cut at <see cref="Threshold"/> is among those tried, so no label's F1 on these rows gets worse.</summary>
    public static double[] TuneThresholds(ReadOnlySpan<double> truth, ReadOnlySpan<float> probabilities, int labels)
    {
        var rows = truth.Length / labels;
        var thresholds = new double[labels];
        for (var l = 0; l < labels; l++)
        {
            var order = new (float P, bool Positive)[rows];
            for (var i = 0; i < rows; i++) order[i] = (probabilities[i * labels + l], truth[i * labels + l] == 1);
            var positives = order.Count(o => o.Positive);
            thresholds[l] = Threshold;
            if (positives == 0) continue;
            Array.Sort(order, (a, b) => b.P.CompareTo(a.P));
            // Predicting none: F1 0, at a threshold above every probability.
            double best = 0, bestThreshold = Math.Max(Threshold, (order[0].P + 1) / 2.0);
            long tp = 0;
            for (var k = 0; k < rows; k++)
            {
                if (order[k].Positive) tp++;
                if (k + 1 < rows && order[k + 1].P == order[k].P) continue;
                var f1 = F1(tp, k + 1 - tp, positives - tp);
                var cut = k + 1 < rows ? (order[k].P + (double)order[k + 1].P) / 2 : order[k].P / 2.0;
                if (f1 > best || (f1 == best && Math.Abs(cut - Threshold) < Math.Abs(bestThreshold - Threshold)))
                    (best, bestThreshold) = (f1, cut);
            }
            thresholds[l] = bestThreshold;
        }
        return thresholds;
    }

    private static double F1(long tp, long fp, long fn) => Ratio(2 * tp, 2 * tp + fp + fn);

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
}
