using Lathe.Config;

namespace Lathe.Training;

/// <summary>Per-class loss weights against class imbalance: "balanced" weights n / (K · n_c), the inverse of each
/// class's frequency scaled so the average row weight is 1 (the loss, and so the learning rate, keep their
/// scale). <c>auto</c> uses them from an imbalance ratio of <see cref="AutoRatio"/> on, and only when the metric that
/// picks the best epoch counts every class equally (macro F1): weighting trades overall accuracy for the minority
/// classes' recall, so under <c>metric: accuracy</c> it would work against the metric the user chose (seattle-weather,
/// 27:1: test accuracy 0.726 weighted, 0.804 unweighted).</summary>
public static class ClassWeights
{
    /// <summary>Largest over smallest class count from which <c>auto</c> weights the classes. Below 3:1 the
    /// smallest class still fills a quarter of a two-class batch, and reweighting mostly trades overall accuracy
    /// for balanced accuracy; penguins (2.2:1) trains unweighted, seattle-weather (27:1) weighted.</summary>
    public const double AutoRatio = 3;

    /// <summary>The weights for <paramref name="classes"/> (indices 0..count−1), or null for an unweighted loss;
    /// <paramref name="metric"/> is the resolved metric that picks the best epoch.</summary>
    public static double[]? Resolve(ClassWeighting weighting, ReadOnlySpan<long> classes, int count, MetricKind metric)
    {
        if (weighting == ClassWeighting.None || count < 2) return null;
        if (weighting == ClassWeighting.Auto && metric != MetricKind.MacroF1) return null;
        var counts = new long[count];
        foreach (var c in classes) counts[c]++;
        var present = counts.Where(n => n > 0).ToArray();
        if (weighting == ClassWeighting.Auto && (present.Length < 2 || (double)present.Max() / present.Min() < AutoRatio)) return null;
        // A class absent from training gets weight 1: it has no rows to weigh, and 1 is neutral.
        var (rows, kinds) = ((double)classes.Length, present.Length);
        return counts.Select(n => n == 0 ? 1.0 : rows / (kinds * n)).ToArray();
    }
}
