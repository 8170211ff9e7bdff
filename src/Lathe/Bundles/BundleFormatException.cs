namespace Lathe.Bundles;

/// <summary>A bundle that is corrupt, tampered with, truncated, or not a Lathe bundle. The message names
/// the file and, where one is at fault, the entry.</summary>
public sealed class BundleFormatException(string message) : LatheException(message);
