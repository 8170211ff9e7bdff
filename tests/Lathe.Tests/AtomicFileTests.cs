namespace Lathe.Tests;

public class AtomicFileTests
{
    [Fact]
    public void A_directory_is_flushed_to_disk_on_linux_and_a_missing_one_is_an_error_naming_it()
    {
        var directory = TestData.TempDirectory();
        Assert.Equal(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), AtomicFile.SyncDirectory(directory));
        if (!OperatingSystem.IsLinux()) return;
        var missing = Path.Combine(directory, "gone");
        var error = Assert.Throws<IOException>(() => AtomicFile.SyncDirectory(missing));
        Assert.Contains(missing, error.Message);
        Assert.Contains("errno 2", error.Message);
    }

    [Fact]
    public void A_write_replaces_the_file_whole_keeps_the_old_one_as_previous_and_leaves_no_temporary_file()
    {
        var directory = TestData.TempDirectory();
        var path = Path.Combine(directory, "sub", "file.bin");
        var previous = Path.Combine(directory, "sub", "file.old");
        AtomicFile.WriteAllBytes(path, [1, 2, 3], previous);
        Assert.False(File.Exists(previous));
        AtomicFile.WriteAllBytes(path, [4, 5], previous);
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(previous));
        // A writer that fails mid-write leaves the old file and no temporary one.
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.Write([9, 9, 9]); throw new InvalidOperationException("disk gone"); }));
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal(["file.bin", "file.old"], Directory.GetFiles(Path.Combine(directory, "sub")).Select(Path.GetFileName).Order());
    }
}
