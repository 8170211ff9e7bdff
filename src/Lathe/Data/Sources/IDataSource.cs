namespace Lathe.Data.Sources;

/// <summary>Something Lathe can read a table from.</summary>
public interface IDataSource
{
    /// <summary>What is read, for messages and report names: a file, a folder, or a database.</summary>
    string Name { get; }
    /// <summary>The files whose bytes are the data's fingerprint; empty for a query, whose fingerprint is the rows it
    /// returns (<see cref="DataSource.Fingerprint"/>).</summary>
    IReadOnlyList<string> Files { get; }
    Table Read(CancellationToken cancellationToken = default);
}
