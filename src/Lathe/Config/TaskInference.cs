using Lathe.Data;
using Lathe.Data.Schema;

namespace Lathe.Config;

/// <summary>Decides between classification and regression from the target column's values.</summary>
public static class TaskInference
{
    /// <summary>A numeric target with at most this many distinct whole values is taken as classes.</summary>
    public const int MaxNumericClasses = 20;

    /// <summary>Whether classes of these row counts are mostly one row each — more than half of them: a target that names
    /// its rows (a title, an identifier) rather than sorting them into classes a model could learn.</summary>
    public static bool NamesRows(IReadOnlyCollection<int> classSizes) => classSizes.Count(n => n == 1) * 2 > classSizes.Count;

    /// <summary>For a classification target that <see cref="NamesRows"/>: its classes and how many of them are on one row
    /// only; null for one whose classes have rows to learn from.</summary>
    public static (int Classes, int Single)? RowNames(Column target)
    {
        var sizes = Lathe.Data.Cleaning.TypeCoercion.Texts(target).Where(t => !Values.IsMissing(t)).CountBy(t => t!, StringComparer.Ordinal).Select(c => c.Value).ToArray();
        return sizes.Length > 0 && NamesRows(sizes) ? (sizes.Length, sizes.Count(n => n == 1)) : null;
    }

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
