namespace Lathe.Config;

/// <summary>The format of a data source; <c>Auto</c> decides from the file name, or is <c>Postgres</c> when
/// <c>data.connection</c> is given.</summary>
public enum DataFormat { Auto, Csv, Tsv, Json, Jsonl, Parquet, Arrow, Idx, Sqlite, Postgres, Excel }
