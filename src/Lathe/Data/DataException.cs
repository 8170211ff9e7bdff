namespace Lathe.Data;

/// <summary>Data that cannot be used as it is: a missing file or column, a malformed row, a value of the
/// wrong type. The message names the file, the row or line, and the column.</summary>
public sealed class DataException(string message) : LatheException(message);
