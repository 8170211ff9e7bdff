using Lathe.Data;
using Lathe.Data.Schema;

namespace Lathe.Config;

/// <summary>Decides between classification and regression from the target column's values.</summary>
public static class TaskInference
{
    /// <summary>A numeric target with at most this many distinct whole values is taken as classes.</summary>
    public const int MaxNumericClasses = 20;

    public static TaskKind Infer(Column target)
    {
        var distinct = new HashSet<double>();
        switch (target)
        {
            case NumericColumn numeric:
                foreach (var v in numeric.Values)
                {
                    if (double.IsNaN(v)) continue;
                    if (v != Math.Floor(v)) return TaskKind.Regression;
                    if (distinct.Add(v) && distinct.Count > MaxNumericClasses) return TaskKind.Regression;
                }
                return TaskKind.Classification;
            case StringColumn text:
                foreach (var value in text.Values)
                {
                    if (Values.IsMissing(value)) continue;
                    if (!Values.TryNumber(value!, out var v)) return TaskKind.Classification;
                    if (v != Math.Floor(v)) return TaskKind.Regression;
                    if (distinct.Add(v) && distinct.Count > MaxNumericClasses) return TaskKind.Regression;
                }
                return TaskKind.Classification;
            default:
                throw new DataException($"the target '{target.Name}' is an image column; choose a label column as the target");
        }
    }
}
