namespace Lathe.Evaluation;

/// <summary>Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks"): one number T that divides
/// every logit before the softmax, chosen on the validation part. Dividing by one positive number keeps each row's order
/// of classes, so the predicted class never changes; only how sure the probabilities are. Label smoothing trains a
/// network to stop short of certainty (0.1 over three classes aims at 0.93), so its raw probabilities are under-confident
/// by design; a temperature below 1 gives the confidence back where the validation rows support it.
/// <para>T minimises the validation rows' summed log loss plus (ln T)² / 2: a standard normal prior on ln T. Without it a
/// small validation part the model classifies without a mistake (penguins' 52 rows) drives T towards 0 and every
/// probability to 0 or 1; with it such a part moves T to about 0.5, and on hundreds of rows the data decide. The sum is
/// convex in 1 / T, so a golden-section search over ln T in [−3, 3] finds the minimum; the search is in double
/// precision and its steps fixed, so the same outputs give the same T.</para></summary>
public static class TemperatureScaling
{
    /// <summary>Search bounds on ln T: T from about 0.05 to about 20.</summary>
    public const double LowestLog = -3, HighestLog = 3;

    private const int Steps = 60;

    /// <summary>The temperature for <paramref name="logits"/> (row-major, <paramref name="classes"/> a row) whose true
    /// classes are <paramref name="truth"/>; 1 when there are no rows.</summary>
    public static double Fit(ReadOnlySpan<float> logits, ReadOnlySpan<long> truth, int classes)
    {
        if (truth.Length == 0) return 1;
        if (logits.Length != truth.Length * classes)
            throw new ArgumentException($"{logits.Length} logits for {truth.Length} rows of {classes} classes", nameof(logits));
        // A network that put out NaN or infinite logits has nothing to calibrate.
        if (!double.IsFinite(Objective(logits, truth, classes, 0))) return 1;
        var golden = (Math.Sqrt(5) - 1) / 2;
        double low = LowestLog, high = HighestLog;
        double left = high - golden * (high - low), right = low + golden * (high - low);
        double atLeft = Objective(logits, truth, classes, left), atRight = Objective(logits, truth, classes, right);
        for (var step = 0; step < Steps; step++)
        {
            if (atLeft <= atRight)
            {
                (high, right, atRight) = (right, left, atLeft);
                left = high - golden * (high - low);
                atLeft = Objective(logits, truth, classes, left);
            }
            else
            {
                (low, left, atLeft) = (left, right, atRight);
                right = low + golden * (high - low);
                atRight = Objective(logits, truth, classes, right);
            }
        }
        return Math.Exp((low + high) / 2);
    }

    /// <summary>Mean log loss of the rows with their logits divided by <paramref name="temperature"/>.</summary>
    public static double LogLoss(ReadOnlySpan<float> logits, ReadOnlySpan<long> truth, int classes, double temperature) =>
        truth.Length == 0 ? 0 : SummedLogLoss(logits, truth, classes, 1 / temperature) / truth.Length;

    private static double Objective(ReadOnlySpan<float> logits, ReadOnlySpan<long> truth, int classes, double logTemperature) =>
        SummedLogLoss(logits, truth, classes, Math.Exp(-logTemperature)) + logTemperature * logTemperature / 2;

    private static double SummedLogLoss(ReadOnlySpan<float> logits, ReadOnlySpan<long> truth, int classes, double inverse)
    {
        double sum = 0;
        for (var row = 0; row < truth.Length; row++)
        {
            var z = logits.Slice(row * classes, classes);
            double max = double.NegativeInfinity;
            foreach (var value in z) max = Math.Max(max, value * inverse);
            double total = 0;
            foreach (var value in z) total += Math.Exp(value * inverse - max);
            sum += max + Math.Log(total) - z[(int)truth[row]] * inverse;
        }
        return sum;
    }
}
