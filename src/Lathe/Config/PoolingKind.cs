namespace Lathe.Config;

/// <summary>The 2×2 pooling that ends each conv block: max, average, or none (keep the size, or shrink it by stride).</summary>
public enum PoolingKind { Max, Avg, None }
