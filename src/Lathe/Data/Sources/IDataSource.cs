namespace Lathe.Data.Sources;

/// <summary>Something Lathe can read a table from.</summary>
public interface IDataSource
{
    /// <summary>The file or files read, for messages and fingerprints.</summary>
    IReadOnlyList<string> Files { get; }
    Table Read(CancellationToken cancellationToken = default);
}
