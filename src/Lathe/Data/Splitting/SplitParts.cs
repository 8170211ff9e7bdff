namespace Lathe.Data.Splitting;

/// <summary>Row indices of the three parts, each in ascending order.</summary>
public sealed record SplitParts(int[] Train, int[] Validation, int[] Test);
