namespace Lathe.Config;

/// <summary>The file format of a data source; <c>Auto</c> decides from the file name.</summary>
public enum DataFormat { Auto, Csv, Tsv, Json, Jsonl, Parquet, Arrow, Idx, Sqlite }
