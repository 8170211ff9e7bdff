using System.IO.Compression;

namespace Lathe.Data.Sources;

/// <summary>Data files as they are downloaded: gzip (<c>penguins.json.gz</c>) or a zip archive holding one data file
/// (<c>mtcars.csv.zip</c>, or <c>export.zip</c> holding <c>sales.csv</c>), read as the file inside. Other compressions
/// are refused, saying how to decompress them.</summary>
public static class CompressedFile
{
    private static readonly (string Extension, string Kind, string Command)[] Unread =
    [
        (".bz2", "bzip2", "bunzip2 -k"), (".xz", "xz", "unxz -k"), (".zst", "zstd", "unzstd"), (".7z", "7-Zip", "7z x"),
        (".rar", "RAR", "unrar x"), (".lz4", "LZ4", "unlz4"), (".tgz", "gzipped tar", "tar xzf"), (".tar", "tar", "tar xf"),
    ];

    /// <summary>Whether <paramref name="path"/> is read through a decompressor (its name ends in .gz or .zip).</summary>
    public static bool IsCompressed(string path) => IsGzip(path) || IsZip(path);

    /// <summary>The name of the data inside <paramref name="path"/>, which says its format: the name less .gz, a zip's one
    /// data file's name, the name itself for a file that is not compressed.</summary>
    public static string InnerName(string path)
    {
        var name = Path.GetFileName(path);
        foreach (var (extension, kind, command) in Unread)
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                throw new DataException($"{path}: compressed with {kind}, which Lathe does not decompress (it reads .gz and .zip) — decompress it first ({command} {name})");
        if (IsGzip(path)) return name[..^3];
        if (!IsZip(path)) return name;
        // A zip not there yet is named by its name less .zip; opening it says it is missing.
        if (!File.Exists(path)) return name[..^4];
        using var archive = OpenZip(path);
        return Path.GetFileName(Entry(path, archive).FullName);
    }

    /// <summary>The bytes of the data inside <paramref name="path"/>, as a stream read from the start.</summary>
    public static Stream Open(string path)
    {
        var file = File.OpenRead(path);
        if (IsGzip(path)) return new GZipStream(file, CompressionMode.Decompress);
        if (!IsZip(path)) return file;
        var archive = OpenZip(path, file);
        try
        {
            return new ArchiveEntryStream(Entry(path, archive).Open(), archive);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <summary>All the bytes of the data inside <paramref name="path"/>; corrupt compressed data is a <see cref="DataException"/> naming the file.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        if (!IsCompressed(path)) return File.ReadAllBytes(path);
        using var stream = Open(path);
        using var memory = new MemoryStream();
        try
        {
            stream.CopyTo(memory);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, e);
        }
        return memory.ToArray();
    }

    /// <summary>What to say of compressed data that does not decompress.</summary>
    public static DataException Corrupt(string path, InvalidDataException e) =>
        new($"{path}: corrupt {(IsZip(path) ? "zip" : "gzip")} data: {e.Message}");

    private static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    private static bool IsZip(string path) => path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    private static ZipArchive OpenZip(string path, Stream? file = null)
    {
        file ??= File.OpenRead(path);
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw new DataException($"{path}: not a zip archive that can be read ({e.Message})");
        }
    }

    /// <summary>The archive's one data file: folders, macOS's <c>__MACOSX/</c> resource forks and hidden files do not count.</summary>
    private static ZipArchiveEntry Entry(string path, ZipArchive archive)
    {
        var files = archive.Entries.Where(e => e.FullName.Length > 0 && !e.FullName.EndsWith('/') && !e.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal)
                                               && !e.Name.StartsWith('.')).ToArray();
        return files switch
        {
            [var one] => one,
            [] => throw new DataException($"{path}: the zip archive holds no file"),
            _ => throw new DataException($"{path}: the zip archive holds {files.Length} files ({string.Join(", ", files.Take(4).Select(f => f.FullName))}{(files.Length > 4 ? ", …" : "")}); Lathe reads a zip of one data file — unzip it and name the file to read"),
        };
    }

    /// <summary>A zip entry's stream that closes its archive with it.</summary>
    private sealed class ArchiveEntryStream(Stream entry, ZipArchive archive) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => entry.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => entry.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                entry.Dispose();
                archive.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
