namespace Lathe.Training;

/// <summary>A learning-rate range test's outcome: the rate and loss at each step, the loss smoothed, and the
/// suggested rate: where the smoothed loss falls fastest against log(rate), before its minimum.</summary>
public sealed record LearningRateSweep(IReadOnlyList<double> Rates, IReadOnlyList<double> Losses, IReadOnlyList<double> Smoothed, double Suggested, double MinimumOverTen)
{
    /// <summary>The rate at the lowest smoothed loss.</summary>
    public double Minimum => Rates[Smoothed.Select((l, i) => (l, i)).MinBy(p => p.l).i];
}
