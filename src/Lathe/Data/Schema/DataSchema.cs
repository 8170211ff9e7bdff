namespace Lathe.Data.Schema;

/// <summary>The input columns a model expects, in order, with their types.</summary>
public sealed record DataSchema(IReadOnlyList<ColumnSchema> Columns)
{
    public ColumnSchema? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);
    public IEnumerable<ColumnSchema> Features => Columns.Where(c => c.IsFeature);
}
