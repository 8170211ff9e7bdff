namespace Lathe.Bundles;

/// <summary>The kinds of file <c>lathe predict</c> writes, told by the output's extension.</summary>
public enum PredictionFormat { Csv, Parquet }
