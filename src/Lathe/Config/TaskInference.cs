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
        if (target is ImageColumn)
            throw new DataException($"the target '{target.Name}' is an image column; choose a label column as the target");
        if (SchemaInference.InferType(target) != ColumnType.Numeric) return TaskKind.Classification;
        var distinct = new HashSet<double>();
        for (var i = 0; i < target.Count; i++)
        {
            var value = target switch
            {
                NumericColumn n => n.Values[i],
                _ => Values.TryNumber(((StringColumn)target).Values[i] ?? "", out var v) ? v : double.NaN,
            };
            if (double.IsNaN(value)) continue;
            if (value != Math.Floor(value)) return TaskKind.Regression;
            if (distinct.Add(value) && distinct.Count > MaxNumericClasses) return TaskKind.Regression;
        }
        return TaskKind.Classification;
    }
}
