using Lathe.Evaluation;

namespace Lathe.Tests.Evaluation;

public class ClassificationMetricsTests
{
    [Fact]
    public void Metrics_match_a_hand_computed_confusion_matrix()
    {
        // Three classes; truth and predictions chosen so every count is easy to check by hand.
        long[] truth = [0, 0, 0, 1, 1, 2];
        int[] predicted = [0, 0, 1, 1, 2, 2];
        var probabilities = predicted.SelectMany(p => Enumerable.Range(0, 3).Select(k => k == p ? 0.8f : 0.1f)).ToArray();
        var (metrics, confusion) = ClassificationMetrics.Compute(truth, probabilities, 3);
        Assert.Equal(4.0 / 6, metrics["accuracy"], 12);
        // Per class: 0 → p 1, r 2/3, F1 0.8; 1 → p 1/2, r 1/2, F1 0.5; 2 → p 1/2, r 1, F1 2/3.
        Assert.Equal((1 + 0.5 + 0.5) / 3, metrics["macro_precision"], 12);
        Assert.Equal((2.0 / 3 + 0.5 + 1) / 3, metrics["macro_recall"], 12);
        Assert.Equal((2.0 / 3 + 0.5 + 1) / 3, metrics["balanced_accuracy"], 12);
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, metrics["macro_f1"], 12);
        Assert.Equal((1 * 3 + 0.5 * 2 + 0.5) / 6, metrics["weighted_precision"], 12);
        Assert.Equal(4.0 / 6, metrics["weighted_recall"], 12);
        Assert.Equal((0.8 * 3 + 0.5 * 2 + 2.0 / 3) / 6, metrics["weighted_f1"], 12);
        Assert.Equal(2, confusion[0, 0]);
        Assert.Equal(1, confusion[1, 2]);
        Assert.Equal(-(4 * Math.Log(0.8) + 2 * Math.Log(0.1)) / 6, metrics["log_loss"], 6);
        // Every prediction has confidence 0.8 (bin [0.8, 0.9)) and 4 of 6 are right: |4/6 − 0.8|.
        Assert.Equal(0.8 - 4.0 / 6, metrics["ece"], 6);
    }

    [Fact]
    public void Penguin_predictions_score_as_scikit_learn_scores_them()
    {
        // A logistic regression on beak length, every 12th penguin, probabilities to two decimals (so scores tie):
        // the rows and every expected number are printed by scripts/metric-references.py (scikit-learn 1.2.1).
        long[] truth = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2];
        float[] probabilities =
        [
            0.97f, 0.00f, 0.03f, 0.98f, 0.00f, 0.02f, 1.00f, 0.00f, 0.00f, 0.66f, 0.07f, 0.27f, 0.64f, 0.08f, 0.28f,
            0.82f, 0.04f, 0.14f, 0.06f, 0.28f, 0.66f, 0.82f, 0.04f, 0.14f, 0.92f, 0.01f, 0.07f, 0.43f, 0.14f, 0.43f,
            0.99f, 0.00f, 0.01f, 0.99f, 0.00f, 0.01f, 0.98f, 0.00f, 0.02f, 0.10f, 0.26f, 0.64f, 0.00f, 0.64f, 0.36f,
            0.00f, 0.49f, 0.51f, 0.04f, 0.29f, 0.67f, 0.00f, 0.43f, 0.57f, 0.00f, 0.40f, 0.60f, 0.02f, 0.32f, 0.66f,
            0.11f, 0.25f, 0.64f, 0.00f, 0.68f, 0.32f, 0.34f, 0.16f, 0.50f, 0.08f, 0.27f, 0.65f, 0.00f, 0.43f, 0.57f,
            0.00f, 0.48f, 0.52f, 0.00f, 0.39f, 0.61f, 0.02f, 0.32f, 0.66f, 0.00f, 0.37f, 0.63f,
        ];
        var (metrics, confusion) = ClassificationMetrics.Compute(truth, probabilities, 3);
        Assert.Equal(0.7586206896551724, metrics["accuracy"], 9);
        Assert.Equal(0.6632478632478632, metrics["balanced_accuracy"], 9);
        Assert.Equal(0.7000000000000001, metrics["macro_precision"], 9);
        Assert.Equal(0.6632478632478632, metrics["macro_recall"], 9);
        Assert.Equal(0.6433333333333334, metrics["macro_f1"], 9);
        Assert.Equal(0.7586206896551724, metrics["weighted_precision"], 9);
        Assert.Equal(0.7586206896551724, metrics["weighted_recall"], 9);
        Assert.Equal(0.7303448275862069, metrics["weighted_f1"], 9);
        Assert.Equal(0.8719141778638346, metrics["roc_auc"], 9);
        // Probabilities are float32 here, float64 in scikit-learn: equal to about seven digits.
        Assert.Equal(0.5623564637194822, metrics["log_loss"], 6);
        Assert.Equal(0.0506896551724138, metrics["ece"], 6);
        long[][] expected = [[12, 0, 1], [0, 1, 5], [0, 1, 9]];
        for (var r = 0; r < 3; r++)
            for (var c = 0; c < 3; c++)
                Assert.Equal(expected[r][c], confusion[r, c]);
        var positive = truth.Select(t => t == 0).ToArray();
        var scores = Enumerable.Range(0, truth.Length).Select(i => probabilities[i * 3]).ToArray();
        Assert.Equal(0.9819004524886878, Curves.PrecisionRecall(positive, scores)!.Area, 9);
    }

    [Fact]
    public void Tied_scores_count_half_in_the_roc_curve_and_its_area()
    {
        // Positive pairs against negatives: (0.8, 0.8) tie ½, (0.8, 0.1) 1, (0.4, 0.8) 0, (0.4, 0.1) 1 → 2.5 / 4.
        bool[] positive = [true, false, true, false];
        float[] scores = [0.8f, 0.8f, 0.4f, 0.1f];
        var roc = Curves.Roc(positive, scores)!;
        Assert.Equal(0.625, roc.Area, 12);
        Assert.Equal([0, 0.5, 0.5, 1], roc.X);
        Assert.Equal([0, 0.5, 1, 1], roc.Y);
        // Precision at each threshold: 1/2 (recall 1/2), 2/3 (recall 1), 2/4 (recall 1); AP = ½·½ + ½·⅔.
        var pr = Curves.PrecisionRecall(positive, scores)!;
        Assert.Equal(0.25 + 1.0 / 3, pr.Area, 12);
        Assert.Equal([0, 0.5, 1, 1], pr.X);
        Assert.Equal([1, 0.5, 2.0 / 3, 0.5], pr.Y);
        Assert.Null(Curves.Roc([true, true], [0.3f, 0.9f]));
    }

    [Fact]
    public void Two_classes_take_the_roc_auc_of_the_second_class()
    {
        // Second-class scores 0.9, 0.6 (class 1) against 0.7, 0.2 (class 0): pairs won 1, 1, 0, 1 → 0.75.
        long[] truth = [1, 1, 0, 0];
        float[] probabilities = [0.1f, 0.9f, 0.4f, 0.6f, 0.3f, 0.7f, 0.8f, 0.2f];
        Assert.Equal(0.75, ClassificationMetrics.RocAuc(truth, probabilities, 2)!.Value, 12);
    }

    [Fact]
    public void Reliability_bins_hold_the_mean_confidence_and_accuracy_of_their_rows()
    {
        // Confidences 0.95 (right), 0.92 (wrong), 0.55 (right), 0.6 (right, on the edge: bin [0.6, 0.7)).
        long[] truth = [0, 1, 1, 0];
        float[] probabilities = [0.95f, 0.05f, 0.92f, 0.08f, 0.45f, 0.55f, 0.6f, 0.4f];
        var bins = Calibration.Bins(truth, probabilities, 2);
        Assert.Equal(10, bins.Length);
        Assert.Equal(2, bins[9].Count);
        Assert.Equal((0.95 + 0.92) / 2, bins[9].Confidence, 6);
        Assert.Equal(0.5, bins[9].Accuracy);
        Assert.Equal(1, bins[5].Count);
        Assert.Equal(1, bins[6].Count);
        // ECE: ½·|0.5 − 0.935| + ¼·|1 − 0.55| + ¼·|1 − 0.6|.
        Assert.Equal(0.5 * 0.435 + 0.25 * 0.45 + 0.25 * 0.4, Calibration.ExpectedError(bins), 6);
    }
}
