namespace Lathe.Data.Profiling;

/// <summary>A table's profile: every column's, the whole table's (duplicates, constant columns), the
/// target's balance, and the warnings with their fixes.</summary>
public sealed record DataProfile
{
    public required string Source { get; init; }
    public int Rows { get; init; }
    public int Quarantined { get; init; }
    public string? Target { get; init; }
    public required IReadOnlyList<ColumnProfile> Columns { get; init; }
    public int DuplicateRows { get; init; }
    public IReadOnlyList<string> ConstantColumns { get; init; } = [];
    /// <summary>Rows per class of a categorical target, most frequent first.</summary>
    public IReadOnlyList<(string Class, int Count)> TargetBalance { get; init; } = [];
    public IReadOnlyList<ProfileWarning> Warnings { get; init; } = [];
    /// <summary>The rows of the seeded sample that histograms and associations were computed from, when the data
    /// was streamed and larger than the sample; null when every row was used.</summary>
    public int? SampleRows { get; init; }
}
