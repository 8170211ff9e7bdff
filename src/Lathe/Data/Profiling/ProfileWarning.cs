namespace Lathe.Data.Profiling;

/// <summary>Something in the data worth acting on, and the suggested fix ("'Horsepower' is 1.5% missing" →
/// "median impute"). <see cref="Column"/> is null for warnings about the whole table.</summary>
public sealed record ProfileWarning(string? Column, string Problem, string Fix)
{
    public override string ToString() => $"{Problem} → {Fix}";
}
