namespace Lathe.Evaluation;

/// <summary>The metrics of class predictions, computed as scikit-learn computes them: accuracy, balanced
/// accuracy, precision/recall/F1 (macro and weighted), one-vs-rest ROC-AUC, log loss, expected calibration
/// error, and the confusion matrix.</summary>
public static class ClassificationMetrics
{
    /// <param name="truth">True class indices.</param>
    /// <param name="probabilities">Row-major [rows, classes] class probabilities.</param>
    public static (MetricSet Metrics, long[,] Confusion) Compute(ReadOnlySpan<long> truth, ReadOnlySpan<float> probabilities, int classes)
    {
        var confusion = new long[classes, classes];
        double logLoss = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            confusion[truth[i], ArgMax(row)]++;
            logLoss -= Math.Log(Math.Max(row[(int)truth[i]], 1e-15));
        }

        var perClass = PerClass(confusion);
        double macroPrecision = 0, macroRecall = 0, macroF1 = 0, weightedPrecision = 0, weightedRecall = 0, weightedF1 = 0, balanced = 0;
        long correct = 0;
        int present = 0, withRows = 0;
        for (var k = 0; k < classes; k++)
        {
            correct += confusion[k, k];
            var score = perClass[k];
            // As scikit-learn: macro averages run over the classes that occur in the truth or the predictions.
            if (score.Support == 0 && score.Predicted == 0) continue;
            present++;
            macroPrecision += score.Precision;
            macroRecall += score.Recall;
            macroF1 += score.F1;
            weightedPrecision += score.Precision * score.Support;
            weightedRecall += score.Recall * score.Support;
            weightedF1 += score.F1 * score.Support;
            if (score.Support == 0) continue;
            // Balanced accuracy is the mean recall of the classes that have true rows.
            balanced += score.Recall;
            withRows++;
        }
        var n = Math.Max(1, truth.Length);
        var macro = Math.Max(1, present);
        var metrics = new MetricSet
        {
            ["accuracy"] = (double)correct / n,
            ["balanced_accuracy"] = balanced / Math.Max(1, withRows),
            ["macro_precision"] = macroPrecision / macro,
            ["macro_recall"] = macroRecall / macro,
            ["macro_f1"] = macroF1 / macro,
            ["weighted_precision"] = weightedPrecision / n,
            ["weighted_recall"] = weightedRecall / n,
            ["weighted_f1"] = weightedF1 / n,
            ["log_loss"] = logLoss / n,
            ["ece"] = Calibration.ExpectedError(Calibration.Bins(truth, probabilities, classes)),
        };
        if (RocAuc(truth, probabilities, classes) is { } auc) metrics["roc_auc"] = auc;
        return (metrics, confusion);
    }

    /// <summary>Precision, recall, F1 and support of each class from a confusion matrix (rows true, columns
    /// predicted). A class never predicted has precision 0, one never true recall 0 (scikit-learn's zero_division=0).</summary>
    public static ClassScore[] PerClass(long[,] confusion)
    {
        var classes = confusion.GetLength(0);
        var scores = new ClassScore[classes];
        for (var k = 0; k < classes; k++)
        {
            long actual = 0, predicted = 0;
            for (var j = 0; j < classes; j++)
            {
                actual += confusion[k, j];
                predicted += confusion[j, k];
            }
            var precision = predicted == 0 ? 0 : (double)confusion[k, k] / predicted;
            var recall = actual == 0 ? 0 : (double)confusion[k, k] / actual;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            scores[k] = new ClassScore(precision, recall, f1, actual, predicted);
        }
        return scores;
    }

    /// <summary>Macro one-vs-rest ROC-AUC: for two classes the AUC of the second class's probability, for more the
    /// mean over classes of each class against the rest (scikit-learn's <c>multi_class="ovr"</c>, <c>average="macro"</c>).
    /// Tied scores count half, as the trapezoidal ROC curve counts them. A class with no true rows, or with only
    /// true rows, has no ROC curve and is left out of the mean; null when no class has one.</summary>
    public static double? RocAuc(ReadOnlySpan<long> truth, ReadOnlySpan<float> probabilities, int classes)
    {
        var scores = new float[truth.Length];
        var positive = new bool[truth.Length];
        double sum = 0;
        var counted = 0;
        for (var k = classes == 2 ? 1 : 0; k < classes; k++)
        {
            for (var i = 0; i < truth.Length; i++)
            {
                scores[i] = probabilities[i * classes + k];
                positive[i] = truth[i] == k;
            }
            if (Curves.Roc(positive, scores) is not { } roc) continue;
            sum += roc.Area;
            counted++;
        }
        return counted == 0 ? null : sum / counted;
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var k = 1; k < values.Length; k++)
            if (values[k] > values[best]) best = k;
        return best;
    }
}
