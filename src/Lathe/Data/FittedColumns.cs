using System.Runtime.CompilerServices;

namespace Lathe.Data;

/// <summary>What a fitted step keeps for each of its columns, looked up by column name when the step transforms a table.</summary>
public static class FittedColumns
{
    // Made once per step's list of columns and kept beside it (not in the step's record, whose equality it would
    // change): a served request runs every step on one row, where building the dictionary again was a good part of
    // what a step allocated (docs/serving.md, "Allocations").
    private static readonly ConditionalWeakTable<object, object> ByName = new();

    /// <summary>The step's <paramref name="columns"/> by name, once <paramref name="table"/> is checked to have every one
    /// of them (else the error names the first missing and the <paramref name="step"/>).</summary>
    public static IReadOnlyDictionary<string, T> In<T>(Table table, IReadOnlyList<T> columns, Func<T, string> name, string step)
        where T : class
    {
        for (var i = 0; i < columns.Count; i++)
            if (!table.Contains(name(columns[i]))) table.Require([name(columns[i])], step);
        if (ByName.TryGetValue(columns, out var made)) return (Dictionary<string, T>)made;
        var byName = columns.ToDictionary(name, StringComparer.Ordinal);
        ByName.AddOrUpdate(columns, byName);
        return byName;
    }
}
