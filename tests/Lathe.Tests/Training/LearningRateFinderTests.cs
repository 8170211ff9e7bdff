using Lathe.Training;

namespace Lathe.Tests.Training;

public class LearningRateFinderTests
{
    [Fact]
    public void Suggestion_is_the_steepest_fall_against_log_rate_before_the_minimum()
    {
        // Rates 1e-6 … 1e0 in 61 log steps; the loss is flat, falls fastest around 1e-3, bottoms out at 1e-1, then explodes.
        var rates = Enumerable.Range(0, 61).Select(i => Math.Pow(10, -6 + i / 10.0)).ToArray();
        var loss = rates.Select(r => 2 - Math.Tanh(2 * (Math.Log10(r) + 3)) + (r > 0.1 ? 50 * (r - 0.1) : 0)).ToArray();
        var (steepest, minimumOverTen) = LearningRateFinder.Suggest(rates, loss);
        Assert.Equal(1e-3, steepest, 1e-9);
        var lowest = Array.IndexOf(loss, loss.Min());
        Assert.Equal(rates[lowest] / 10, minimumOverTen, 12);
    }

    [Fact]
    public void A_sweep_too_short_to_have_a_slope_suggests_the_minimum_over_ten()
    {
        var (steepest, overTen) = LearningRateFinder.Suggest([1e-4, 1e-3, 1e-2], [1.0, 0.5, 3.0]);
        Assert.Equal(1e-4, steepest, 12);
        Assert.Equal(1e-4, overTen, 12);
    }
}
