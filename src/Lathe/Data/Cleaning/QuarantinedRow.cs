namespace Lathe.Data.Cleaning;

/// <summary>A row set aside because it could not be read or typed: where it was (the line in a text file,
/// the record number in JSON), why, and its raw text.</summary>
public sealed record QuarantinedRow(int Line, string Reason, string Raw);
