namespace Lathe.Config;

/// <summary>How a text file's bytes are decoded. <c>Auto</c>: a byte-order mark decides (UTF-8, UTF-16);
/// without one the file is UTF-8, lines with invalid bytes are quarantined, and a file with more such
/// lines than <c>quarantine_limit</c> allows is read as Latin-1 instead.</summary>
public enum TextEncoding { Auto, Utf8, Utf16, Latin1 }
