namespace Lathe.Config;

/// <summary>The success metric: chooses the best epoch and is reported first.</summary>
public enum MetricKind { Auto, Accuracy, MacroF1, Rmse, Mae, R2 }

public static class MetricKinds
{
    public static bool HigherIsBetter(this MetricKind metric) => metric is MetricKind.Accuracy or MetricKind.MacroF1 or MetricKind.R2;

    public static bool AppliesTo(this MetricKind metric, TaskKind task) => task switch
    {
        TaskKind.Classification => metric is MetricKind.Accuracy or MetricKind.MacroF1,
        TaskKind.Regression => metric is MetricKind.Rmse or MetricKind.Mae or MetricKind.R2,
        TaskKind.Multilabel => metric is MetricKind.MacroF1,
        _ => true,
    };

    public static MetricKind DefaultFor(TaskKind task) => task switch
    {
        TaskKind.Regression => MetricKind.Rmse,
        TaskKind.Multilabel => MetricKind.MacroF1,
        _ => MetricKind.Accuracy,
    };
}
