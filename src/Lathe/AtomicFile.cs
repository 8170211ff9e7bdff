using System.Text;

namespace Lathe;

/// <summary>Writes a file so that a reader sees the old file or the new one, never half of one: write to a
/// temporary file beside it, flush to disk, rename over it.</summary>
public static class AtomicFile
{
    /// <summary>How the temporary files end; one left by a killed writer is removed by <see cref="RemoveStale"/>.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Writes <paramref name="path"/>; with <paramref name="previous"/>, the file it replaces is first renamed
    /// to that, so a reader finds the new file, or else the old one under <paramref name="previous"/>.</summary>
    public static void Write(string path, Action<Stream> write, string? previous = null)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}{TemporarySuffix}";
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            if (previous is not null && File.Exists(full)) File.Move(full, previous, overwrite: true);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes, string? previous = null) => Write(path, s => s.Write(bytes), previous);

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Deletes the temporary files that writers killed mid-write left in <paramref name="directory"/>; returns how many.</summary>
    public static int RemoveStale(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        var stale = Directory.GetFiles(directory, "*" + TemporarySuffix);
        foreach (var file in stale) File.Delete(file);
        return stale.Length;
    }
}
