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

    /// <summary>The rows in order, as tables of about <paramref name="rows"/> rows each (a Parquet row group or an
    /// Arrow record batch is not split), so that a file larger than memory can be read in one pass. Each batch
    /// keeps the source's line (or record) numbers and the rows it quarantined. A source that cannot stream
    /// yields its whole <see cref="Read"/> as one batch.</summary>
    IEnumerable<Table> ReadBatches(int rows, CancellationToken cancellationToken = default)
    {
        yield return Read(cancellationToken);
    }

    /// <summary>How many rows the source holds, when it can tell without reading them (Parquet's footer); null when
    /// it cannot. For progress: rows of a total.</summary>
    long? CountRows(CancellationToken cancellationToken = default) => null;
}
