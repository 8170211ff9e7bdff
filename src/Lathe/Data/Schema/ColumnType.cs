namespace Lathe.Data.Schema;

/// <summary>What a column holds, as inferred from its values.</summary>
public enum ColumnType { Numeric, Categorical, Boolean, DateTime, Text, Image }
