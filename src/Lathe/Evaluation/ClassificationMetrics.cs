namespace Lathe.Evaluation;

/// <summary>Accuracy, macro and weighted F1, log loss and the confusion matrix of class predictions.</summary>
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

        long correct = 0;
        double macroF1 = 0, weightedF1 = 0;
        var present = 0;
        for (var k = 0; k < classes; k++)
        {
            correct += confusion[k, k];
            long actual = 0, predicted = 0;
            for (var j = 0; j < classes; j++)
            {
                actual += confusion[k, j];
                predicted += confusion[j, k];
            }
            if (actual == 0 && predicted == 0) continue;
            var precision = predicted == 0 ? 0 : (double)confusion[k, k] / predicted;
            var recall = actual == 0 ? 0 : (double)confusion[k, k] / actual;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            macroF1 += f1;
            weightedF1 += f1 * actual;
            present++;
        }
        var n = Math.Max(1, truth.Length);
        var metrics = new MetricSet
        {
            ["accuracy"] = (double)correct / n,
            ["macro_f1"] = present == 0 ? 0 : macroF1 / present,
            ["weighted_f1"] = weightedF1 / n,
            ["log_loss"] = logLoss / n,
        };
        return (metrics, confusion);
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var k = 1; k < values.Length; k++)
            if (values[k] > values[best]) best = k;
        return best;
    }
}
