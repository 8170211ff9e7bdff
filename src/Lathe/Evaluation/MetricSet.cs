using Lathe.Config;

namespace Lathe.Evaluation;

/// <summary>Named metric values of one part of the data (<c>accuracy</c>, <c>macro_f1</c>, <c>rmse</c>, …),
/// as written in <c>metrics.json</c>.</summary>
public sealed class MetricSet : SortedDictionary<string, double>
{
    public MetricSet() : base(StringComparer.Ordinal) { }

    public double Of(MetricKind metric) => TryGetValue(ConfigNames.Of(metric), out var value)
        ? value
        : throw new LatheException($"metric '{ConfigNames.Of(metric)}' was not computed for this task");
}
