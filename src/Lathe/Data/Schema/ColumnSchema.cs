namespace Lathe.Data.Schema;

/// <summary>One input column: its name, its type and, when it is not used as a feature, why.</summary>
/// <param name="ImageShape">For a column of image paths: [channels, height, width] every image is loaded at.</param>
/// <remarks>A date column's <see cref="DateParts"/> are the parts it becomes; null (every schema from before elapsed days)
/// means <see cref="Cleaning.TypeCoercion.FirstDateParts"/>, so an older bundle predicts with the columns it was fitted on.</remarks>
public sealed record ColumnSchema(string Name, ColumnType Type, string? Unused = null, IReadOnlyList<int>? ImageShape = null)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? DateParts { get; init; }

    public bool IsFeature => Unused is null;
}
