namespace Lathe.Data.Pipeline;

/// <summary>Rows in each part; rows dropped because their target was missing; rows quarantined as malformed;
/// exact duplicate rows found and dropped; groups of rows with the same features but different targets; and
/// training rows flagged as label issues; rows dropped for missing too many feature values (<c>prepare.drop_rows_above</c>);
/// values that did not fit their column's type, made missing (<c>data.bad_values: missing</c>); and training rows
/// dropped as outliers (<c>prepare.outlier_action: drop</c>).</summary>
public sealed record RowCounts(int Train, int Validation, int Test, int DroppedMissingTarget, int Quarantined = 0, int Duplicates = 0, int DuplicatesDropped = 0, int ConflictingDuplicates = 0, int LabelIssues = 0, int SparseRowsDropped = 0, int ValuesMadeMissing = 0, int OutlierRowsDropped = 0);
