// The engine's libstdc++ compatibility step, shared by the build (as an inline MSBuild task) and
// the tests (compiled with ELF_ONLY). See docs/engine.md for why marking one version need weak is
// safe for libLibTorchSharp.so from TorchSharp 0.107.0.
#nullable enable
using System;
using System.IO;
using System.Text;

// The inline task is compiled against netstandard2.0: no spans or newer BCL APIs here.

/// <summary>Reads and edits the version-needs table of a 64-bit little-endian ELF shared library.</summary>
public static class ElfVersionNeeds
{
    public const string TorchSharpNeed = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>Whether a library (a system libstdc++) defines the given symbol version.</summary>
    public static bool Defines(byte[] library, string version)
    {
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        for (var i = 0; i + needle.Length <= library.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && library[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    /// <summary>The flags of every need of <paramref name="version"/> in the library; empty when it has none.</summary>
    public static ushort[] FlagsOf(byte[] elf, string version)
    {
        var flags = new System.Collections.Generic.List<ushort>();
        foreach (var offset in NeedOffsets(elf, version)) flags.Add(BitConverter.ToUInt16(elf, offset + 4));
        return flags.ToArray();
    }

    public static bool IsWeak(ushort flags) => (flags & VerFlagWeak) != 0;

    /// <summary>Marks every need of <paramref name="version"/> weak, in place. Returns how many entries changed.</summary>
    public static int Weaken(byte[] elf, string version)
    {
        var changed = 0;
        foreach (var offset in NeedOffsets(elf, version))
        {
            var flags = BitConverter.ToUInt16(elf, offset + 4);
            if ((flags & VerFlagWeak) != 0) continue;
            var weak = (ushort)(flags | VerFlagWeak);
            elf[offset + 4] = (byte)weak;
            elf[offset + 5] = (byte)(weak >> 8);
            changed++;
        }
        return changed;
    }

    private static System.Collections.Generic.List<int> NeedOffsets(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");

        var sectionTable = checked((int)BitConverter.ToUInt64(elf, 0x28));
        int entrySize = BitConverter.ToUInt16(elf, 0x3A), count = BitConverter.ToUInt16(elf, 0x3C);
        var found = new System.Collections.Generic.List<int>();
        for (var i = 0; i < count; i++)
        {
            var header = sectionTable + i * entrySize;
            if (BitConverter.ToUInt32(elf, header + 4) != ShtGnuVerneed) continue;
            var tableStart = checked((int)BitConverter.ToUInt64(elf, header + 0x18));
            var entries = BitConverter.ToUInt32(elf, header + 0x2C);
            var strings = sectionTable + (int)BitConverter.ToUInt32(elf, header + 0x28) * entrySize;
            var stringsStart = checked((int)BitConverter.ToUInt64(elf, strings + 0x18));

            var need = tableStart;
            for (var n = 0; n < entries; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, need + 2);
                var aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = stringsStart + (int)BitConverter.ToUInt32(elf, aux + 8);
                    if (NameAt(elf, name) == version) found.Add(aux);
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        return found;
    }

    private static string NameAt(byte[] elf, int offset)
    {
        var end = Array.IndexOf(elf, (byte)0, offset);
        return Encoding.ASCII.GetString(elf, offset, end - offset);
    }
}

#if !ELF_ONLY
/// <summary>MSBuild task: weakens the GLIBCXX_3.4.32 need of the build's own copies of libLibTorchSharp.so
/// when the system libstdc++ lacks that version.</summary>
public class GlibcxxCompat : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    public override bool Execute()
    {
        var system = SystemLibstdcxx();
        if (system == null)
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "GlibcxxCompat: no system libstdc++ found; libraries left as shipped.");
            return true;
        }
        if (ElfVersionNeeds.Defines(File.ReadAllBytes(system), ElfVersionNeeds.TorchSharpNeed))
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"GlibcxxCompat: {system} has {ElfVersionNeeds.TorchSharpNeed}; libraries left as shipped.");
            return true;
        }
        foreach (var item in Libraries)
        {
            var path = item.ItemSpec;
            var bytes = File.ReadAllBytes(path);
            if (ElfVersionNeeds.Weaken(bytes, ElfVersionNeeds.TorchSharpNeed) == 0) continue;
            // The copy's time is the package file's; the weakened file keeps it, so the next build's copy step (which skips
            // a file of the same size and time) leaves it alone instead of putting the original back for a moment, under
            // any test or benchmark then loading it.
            var copied = File.GetLastWriteTimeUtc(path);
            // Write a new file and rename it over the old, so a hard link into the NuGet cache is never written through.
            var temp = path + ".compat.tmp";
            File.WriteAllBytes(temp, bytes);
            File.SetLastWriteTimeUtc(temp, copied);
            File.Delete(path);
            File.Move(temp, path);
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, $"GlibcxxCompat: marked {ElfVersionNeeds.TorchSharpNeed} weak in {path}");
        }
        return true;
    }

    private static string? SystemLibstdcxx()
    {
        foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/aarch64-linux-gnu", "/usr/lib" })
        {
            var candidate = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
#endif
