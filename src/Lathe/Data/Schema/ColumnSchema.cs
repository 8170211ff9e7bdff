namespace Lathe.Data.Schema;

/// <summary>One input column: its name, its type and, when it is not used as a feature, why.</summary>
public sealed record ColumnSchema(string Name, ColumnType Type, string? Unused = null)
{
    public bool IsFeature => Unused is null;
}
