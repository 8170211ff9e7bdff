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

    /// <summary>Deletes the temporary files that writers killed mid-write left in <paramref name="directory"/>: those named
    /// <c>NAME.PID.tmp</c> whose process is no longer running (or is this one, which is not writing); returns how many.
    /// Other <c>.tmp</c> files, and those of a live writer, are left alone.</summary>
    public static int RemoveStale(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        var removed = 0;
        foreach (var file in Directory.GetFiles(directory, "*" + TemporarySuffix))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var dot = name.LastIndexOf('.');
            if (dot < 0 || !int.TryParse(name.AsSpan(dot + 1), out var writer) || (writer != Environment.ProcessId && IsRunning(writer))) continue;
            File.Delete(file);
            removed++;
        }
        return removed;
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static class Posix
    {
        public const int EINVAL = 22;
        [DllImport("libc", SetLastError = true)] public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
        [DllImport("libc", SetLastError = true)] public static extern int fsync(int descriptor);
        [DllImport("libc", SetLastError = true)] public static extern int close(int descriptor);
    }
}
