namespace Lathe.Evaluation;

/// <summary>Whether predicted probabilities can be taken at their word: the top class's probability (the
/// confidence) against how often the top class is right, in equal-width bins, and the expected calibration
/// error Σ (nᵦ / n) |accuracyᵦ − confidenceᵦ| (Guo et al., 2017).</summary>
public static class Calibration
{
    public const int DefaultBins = 10;

    /// <param name="truth">True class indices.</param>
    /// <param name="probabilities">Row-major [rows, classes] class probabilities.</param>
    public static ReliabilityBin[] Bins(ReadOnlySpan<long> truth, ReadOnlySpan<float> probabilities, int classes, int bins = DefaultBins)
    {
        var count = new long[bins];
        var confidence = new double[bins];
        var right = new long[bins];
        for (var i = 0; i < truth.Length; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            var top = ClassificationMetrics.ArgMax(row);
            // A confidence of exactly 1 belongs to the last bin.
            var bin = Math.Min(bins - 1, (int)((double)row[top] * bins));
            count[bin]++;
            confidence[bin] += row[top];
            if (top == truth[i]) right[bin]++;
        }
        var result = new ReliabilityBin[bins];
        for (var b = 0; b < bins; b++)
            result[b] = new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, count[b],
                count[b] == 0 ? 0 : confidence[b] / count[b], count[b] == 0 ? 0 : (double)right[b] / count[b]);
        return result;
    }

    public static double ExpectedError(IReadOnlyList<ReliabilityBin> bins)
    {
        var total = bins.Sum(b => b.Count);
        return total == 0 ? 0 : bins.Sum(b => (double)b.Count / total * Math.Abs(b.Accuracy - b.Confidence));
    }
}
