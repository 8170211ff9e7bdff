namespace Lathe.Data.Transforms;

/// <summary>Quantiles of sorted values by linear interpolation (as NumPy's default).</summary>
public static class Quantile
{
    public static double Of(double[] sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }
}
