using System.Runtime.InteropServices;
using System.Text;

namespace Lathe;

/// <summary>Writes a file so that a reader sees the old file or the new one, never half of one: write to a
/// temporary file beside it, flush to disk, rename over it, then flush the directory (so that a power cut after the
/// write cannot lose the rename).</summary>
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
            SyncDirectory(Path.GetDirectoryName(full)!);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes, string? previous = null) => Write(path, s => s.Write(bytes), previous);

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Flushes <paramref name="directory"/>'s entries (renames, new names) to disk: open it and <c>fsync</c> it, on
    /// Linux and macOS. Returns false where the system has no such call (Windows, whose renames are journalled) or the
    /// file system refuses it for directories (EINVAL); any other failure is an <see cref="IOException"/>.</summary>
    public static bool SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return false;
        var descriptor = Posix.open(directory, 0);
        if (descriptor < 0) throw new IOException($"cannot open the directory {directory} to flush it to disk (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Posix.fsync(descriptor) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            return errno == Posix.EINVAL ? false : throw new IOException($"cannot flush the directory {directory} to disk (errno {errno})");
        }
        finally
        {
            Posix.close(descriptor);
        }
    }

    /// <summary>Deletes the temporary files that writers killed mid-write left in <paramref name="directory"/>; returns how many.</summary>
    public static int RemoveStale(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        var stale = Directory.GetFiles(directory, "*" + TemporarySuffix);
        foreach (var file in stale) File.Delete(file);
        return stale.Length;
    }

    private static class Posix
    {
        public const int EINVAL = 22;
        [DllImport("libc", SetLastError = true)] public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
        [DllImport("libc", SetLastError = true)] public static extern int fsync(int descriptor);
        [DllImport("libc", SetLastError = true)] public static extern int close(int descriptor);
    }
}
