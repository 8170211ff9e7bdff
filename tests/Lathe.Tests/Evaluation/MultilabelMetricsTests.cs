using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Evaluation;

namespace Lathe.Tests.Evaluation;

public class MultilabelMetricsTests
{
    /// <summary>The first 80 cars with a consumption and a horsepower: three true labels (American, more than 4
    /// cylinders, at least 25 mpg) and three scores made from other real columns (weight / 5200 capped at 1,
    /// displacement / 400, 1 − horsepower / 200), as float32.</summary>
    private static (double[] Truth, float[] Scores) Cars()
    {
        var cars = DataSource.Open(TestData.Vega("cars.json")).Read();
        double[] Numbers(string name) => ((NumericColumn)cars[name]).Values;
        var (mpg, hp, cylinders, weight, displacement) = (Numbers("Miles_per_Gallon"), Numbers("Horsepower"), Numbers("Cylinders"), Numbers("Weight_in_lbs"), Numbers("Displacement"));
        var origin = ((StringColumn)cars["Origin"]).Values;
        var rows = Enumerable.Range(0, cars.RowCount).Where(i => !double.IsNaN(mpg[i]) && !double.IsNaN(hp[i])).Take(80).ToArray();
        var truth = rows.SelectMany(i => new[] { origin[i] == "USA" ? 1.0 : 0, cylinders[i] > 4 ? 1 : 0, mpg[i] >= 25 ? 1 : 0 }).ToArray();
        var scores = rows.SelectMany(i => new[] { (float)Math.Min(weight[i] / 5200, 1), (float)(displacement[i] / 400), (float)(1 - hp[i] / 200) }).ToArray();
        return (truth, scores);
    }

    [Fact]
    public void Metrics_on_real_car_labels_match_scikit_learn()
    {
        var (truth, scores) = Cars();
        Assert.Equal(240, truth.Length);
        var metrics = MultilabelMetrics.Compute(truth, scores, 3);
        // Pinned from scikit-learn 1.2.1 on the same arrays: accuracy_score, hamming_loss, f1_score(average=micro|macro,
        // zero_division=0), roc_auc_score(average=macro), and the mean of the per-label binary log losses.
        Assert.Equal(0.65, metrics["subset_accuracy"], 12);
        Assert.Equal(0.15833333333333333, metrics["hamming_loss"], 12);
        Assert.Equal(0.8549618320610687, metrics["micro_f1"], 12);
        Assert.Equal(0.8139331458919088, metrics["macro_f1"], 12);
        Assert.Equal(0.9397020041036268, metrics["roc_auc"], 12);
        Assert.Equal(0.3791230125111993, metrics["log_loss"], 6);

        var perLabel = MultilabelMetrics.PerLabel(truth, scores, 3);
        Assert.Equal([0.890909090909091, 0.9690721649484536, 0.5818181818181818], perLabel.Select(s => Math.Round(s.F1, 12)).ToArray(),
            new Tolerance());
        Assert.Equal([0.9255485893416927, 1.0, 0.8935574229691877], perLabel.Select(s => s.RocAuc!.Value).ToArray(), new Tolerance());
        Assert.Equal([58L, 50, 17], perLabel.Select(s => s.Support).ToArray());
    }

    [Fact]
    public void A_label_with_one_class_only_has_no_roc_auc_and_is_left_out_of_the_mean()
    {
        var (truth, scores) = Cars();
        // Every car made 'more than 4 cylinders': the second label has positives only.
        for (var i = 1; i < truth.Length; i += 3) truth[i] = 1;
        var perLabel = MultilabelMetrics.PerLabel(truth, scores, 3);
        Assert.Null(perLabel[1].RocAuc);
        Assert.Equal((perLabel[0].RocAuc!.Value + perLabel[2].RocAuc!.Value) / 2, MultilabelMetrics.Compute(truth, scores, 3)["roc_auc"], 12);
    }

    private sealed class Tolerance : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;
        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void Tuned_thresholds_take_each_labels_best_f1_halfway_between_probabilities()
    {
        // Label 0 (by hand): cutting below the top 1, 2, 3, 4, 5 gives F1 0.5, 0.4, 0.667, 0.571, 0.75, so all five
        // rows, at half the lowest probability. Label 1 has no positive row and keeps 0.5. Label 2's one positive (0.6) is
        // below a negative (0.9): its best F1 is 2/3, cutting between 0.6 and 0.4.
        double[] truth = [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0];
        float[] probabilities = [0.9f, 0.3f, 0.6f, 0.8f, 0.1f, 0.4f, 0.4f, 0.2f, 0.9f, 0.3f, 0.7f, 0.2f, 0.2f, 0.6f, 0.1f];
        var thresholds = MultilabelMetrics.TuneThresholds(truth, probabilities, 3);
        Assert.Equal(0.1, thresholds[0], 6);
        Assert.Equal(0.5, thresholds[1]);
        Assert.Equal((0.6 + 0.4) / 2, thresholds[2], 6);
        var tuned = MultilabelMetrics.PerLabel(truth, probabilities, 3, thresholds);
        var plain = MultilabelMetrics.PerLabel(truth, probabilities, 3);
        Assert.Equal(0.75, tuned[0].F1, 6);
        Assert.Equal(0.4, plain[0].F1, 6);
        Assert.Equal(2 / 3.0, tuned[2].F1, 6);
    }

    [Fact]
    public void On_real_scores_tuning_never_lowers_a_labels_f1_on_the_rows_it_was_tuned_on()
    {
        var (truth, scores) = Cars();
        var thresholds = MultilabelMetrics.TuneThresholds(truth, scores, 3);
        var tuned = MultilabelMetrics.PerLabel(truth, scores, 3, thresholds);
        var plain = MultilabelMetrics.PerLabel(truth, scores, 3);
        for (var l = 0; l < 3; l++) Assert.True(tuned[l].F1 >= plain[l].F1, $"label {l}: {tuned[l].F1} < {plain[l].F1} at 0.5");
        Assert.True(MultilabelMetrics.Compute(truth, scores, 3, thresholds)["macro_f1"] >= MultilabelMetrics.Compute(truth, scores, 3)["macro_f1"]);
    }
}
