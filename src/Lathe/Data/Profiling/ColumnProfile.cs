using Lathe.Data.Schema;

namespace Lathe.Data.Profiling;

/// <summary>What one column holds: its type, how much is missing, its spread or its categories, how
/// strongly it goes with the target, and what to do about anything odd.</summary>
public sealed record ColumnProfile
{
    public required string Name { get; init; }
    public required ColumnType Type { get; init; }
    /// <summary>Why the column is not used as a feature; null when it is.</summary>
    public string? Unused { get; init; }
    public int Missing { get; init; }
    public double MissingShare { get; init; }
    /// <summary>Distinct present values, counted up to <see cref="DataProfiler.MaxDistinct"/>.</summary>
    public int Distinct { get; init; }
    public bool DistinctCapped { get; init; }
    /// <summary><see cref="Distinct"/> is an estimate (a streamed file with more distinct values than could be counted).</summary>
    public bool DistinctEstimated { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public double? Mean { get; init; }
    public double? Std { get; init; }
    public double? Skewness { get; init; }
    /// <summary>Earliest and latest value of a date column, as written in the data.</summary>
    public string? First { get; init; }
    public string? Last { get; init; }
    /// <summary>Values that fail to parse as the column's type (they would be quarantined).</summary>
    public int Stray { get; init; }
    public IReadOnlyList<(string Value, int Count)> TopValues { get; init; } = [];
    public IReadOnlyList<(double From, double To, int Count)> Histogram { get; init; } = [];
    /// <summary>Association with the target in [0, 1]: |Pearson r|, the correlation ratio η, or Cramér's V.</summary>
    public double? Association { get; init; }
    public string? AssociationMeasure { get; init; }
    /// <summary>A column of numbers that numbers the rows (0, 1, 2, … or 1, 2, 3, …; <see cref="Schema.RowNumbers"/>): where
    /// the row stood, its first number; null for any other column.</summary>
    public double? CountsRowsFrom { get; init; }

    /// <summary>What the column is to the model, as the profile's tables say it: why it is unused, "row numbers" for a
    /// column that numbers the rows and "one value" for one that holds the same in every row (<c>lathe init</c> excludes
    /// both), else "feature".</summary>
    public string Use => Unused ?? (CountsRowsFrom is not null ? "row numbers: lathe init excludes it"
        : Distinct == 1 && Missing == 0 && Type != ColumnType.Image ? "one value: lathe init excludes it" : "feature");

    /// <summary>The distinct count as the report writes it: "400", "≥100,000" when counting stopped, "≈2,400,000" when estimated.</summary>
    public string DistinctText(string format = "N0") =>
        (DistinctEstimated ? "≈" : DistinctCapped ? "≥" : "") + Distinct.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
}
