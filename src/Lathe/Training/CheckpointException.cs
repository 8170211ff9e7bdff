namespace Lathe.Training;

/// <summary>A checkpoint that cannot be used: missing, damaged, or written for another config or other data.</summary>
public sealed class CheckpointException(string message) : LatheException(message);
