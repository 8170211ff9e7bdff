using Lathe.Evaluation;

namespace Lathe.Tests.Evaluation;

public class RegressionMetricsTests
{
    [Fact]
    public void Metrics_match_hand_computed_values()
    {
        double[] truth = [1, 2, 3, 4];
        double[] predicted = [1, 3, 3, 2];
        var metrics = RegressionMetrics.Compute(truth, predicted);
        Assert.Equal(Math.Sqrt(5.0 / 4), metrics["rmse"], 12);
        Assert.Equal(3.0 / 4, metrics["mae"], 12);
        Assert.Equal(1 - 5.0 / 5, metrics["r2"], 12);
        Assert.Equal((0 + 0.5 + 0 + 0.5) / 4, metrics["mape"], 12);
    }

    [Fact]
    public void Cars_predictions_score_as_scikit_learn_scores_them()
    {
        // Miles_per_Gallon of every 25th car and a linear fit on Horsepower, to one decimal: the numbers are
        // printed by scripts/metric-references.py (scikit-learn 1.2.1).
        double[] truth = [18, 10, 30, 18, 23, 19, 19, 23, 17.5, 19, 19.2, 16.2, 34.5, 36.4, 33.7, 36];
        double[] predicted = [19.4, 6, 28.9, 22.3, 24.9, 24.2, 24.9, 24.9, 24.9, 24.2, 23.4, 18.9, 28.9, 29.4, 28.1, 28.1];
        var metrics = RegressionMetrics.Compute(truth, predicted);
        Assert.Equal(4.921826388648831, metrics["rmse"], 9);
        Assert.Equal(4.45625, metrics["mae"], 9);
        Assert.Equal(0.207810147197523, metrics["mape"], 9);
        Assert.Equal(0.612783421987421, metrics["r2"], 9);
    }

    [Fact]
    public void Mape_leaves_out_rows_whose_true_value_is_zero()
    {
        // Only 2 → 3 (50%) and 4 → 3 (25%) count; the zero target would divide by zero.
        var metrics = RegressionMetrics.Compute([0, 2, 4], [1, 3, 3]);
        Assert.Equal(0.375, metrics["mape"], 12);
        Assert.False(RegressionMetrics.Compute([0, 0], [1, 2]).ContainsKey("mape"));
    }
}
