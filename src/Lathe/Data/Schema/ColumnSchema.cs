namespace Lathe.Data.Schema;

/// <summary>One input column: its name, its type and, when it is not used as a feature, why.</summary>
/// <param name="ImageShape">For a column of image paths: [channels, height, width] every image is loaded at.</param>
public sealed record ColumnSchema(string Name, ColumnType Type, string? Unused = null, IReadOnlyList<int>? ImageShape = null)
{
    public bool IsFeature => Unused is null;
}
