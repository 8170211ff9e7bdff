using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Lathe.Bundles;

namespace Lathe.Tests.Bundles;

[Collection(PenguinsCollection.Name)]
public class BundleTests(PenguinsRun run)
{
    private string BundlePath => run.Result.BundlePath;

    [Fact]
    public void Loaded_bundle_predicts_bit_for_bit_what_the_training_process_predicted()
    {
        var bundle = Bundle.Load(BundlePath);
        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(run.Result.TestRows);
        var expected = run.Result.TestPredictions;
        Assert.True(expected.Count > 40);
        Assert.Equal(expected.Labels, predictions.Labels);
        Assert.Equal(expected.Probabilities.Select(BitConverter.SingleToInt32Bits), predictions.Probabilities.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Saved_and_reloaded_bundle_is_the_same_bundle()
    {
        var bundle = Bundle.Load(BundlePath);
        var copy = Path.Combine(TestData.TempDirectory(), "copy.lathe");
        bundle.Save(copy);
        var again = Bundle.Load(copy);
        Assert.Equal(bundle.Weights, again.Weights);
        Assert.Equal(bundle.Manifest.Entries, again.Manifest.Entries);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], again.Manifest.Outputs);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], again.Target.Classes);
        Assert.Contains(again.Manifest.Input, f => f.Name == "Island" && f.Categories!.Contains("Dream"));
        Assert.StartsWith("sha256:", again.Manifest.DataFingerprint);
    }

    [Fact]
    public void A_flipped_byte_in_any_entry_is_refused_naming_that_entry()
    {
        var original = File.ReadAllBytes(BundlePath);
        var entries = LocalEntries(original);
        Assert.Equal(["config.yaml", "manifest.json", "model.json", "pipeline.json", "weights.safetensors"], entries.Keys.Order());
        foreach (var (name, (start, length)) in entries)
        {
            foreach (var at in new[] { start, start + length / 2, start + length - 1 })
            {
                var bytes = (byte[])original.Clone();
                bytes[at] ^= 0x20;
                var error = Assert.Throws<BundleFormatException>(() => LoadBytes(bytes));
                Assert.Contains($"entry '{name}'", error.Message);
            }
        }
    }

    [Fact]
    public void A_truncated_bundle_is_refused()
    {
        var original = File.ReadAllBytes(BundlePath);
        foreach (var length in new[] { 0, 10, original.Length / 3, original.Length / 2, original.Length - 30, original.Length - 1 })
        {
            var error = Assert.Throws<BundleFormatException>(() => LoadBytes(original[..length]));
            Assert.Contains("truncated", error.Message);
        }
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("/etc/evil")]
    [InlineData("weights/../../evil")]
    [InlineData("C:evil")]
    [InlineData("..\\evil")]
    public void An_entry_name_that_escapes_the_archive_is_refused(string name)
    {
        var error = Assert.Throws<BundleFormatException>(() => LoadBytes(WithExtraEntry(name)));
        Assert.Contains($"entry '{name}' has a name that escapes the archive", error.Message);
    }

    [Fact]
    public void Duplicate_and_unexpected_entries_are_refused()
    {
        Assert.Contains("entry 'model.json' appears twice", Assert.Throws<BundleFormatException>(() => LoadBytes(WithExtraEntry("model.json"))).Message);
        Assert.Contains("unexpected entry 'run.sh'", Assert.Throws<BundleFormatException>(() => LoadBytes(WithExtraEntry("run.sh"))).Message);
    }

    [Fact]
    public void A_compressed_entry_is_refused_so_no_zip_bomb_is_inflated()
    {
        var bytes = Rewrite(File.ReadAllBytes(BundlePath), (name, content, zip) =>
            zip.CreateEntry(name, name == "config.yaml" ? CompressionLevel.Optimal : CompressionLevel.NoCompression));
        Assert.Contains("entry 'config.yaml' is compressed", Assert.Throws<BundleFormatException>(() => LoadBytes(bytes)).Message);
    }

    [Fact]
    public void A_bundle_from_a_newer_format_is_refused_with_the_reason()
    {
        var format = Bundle.Load(BundlePath).Manifest.Format;
        var bytes = Rewrite(File.ReadAllBytes(BundlePath), (name, content, zip) => zip.CreateEntry(name, CompressionLevel.NoCompression),
            (name, content) => name == "manifest.json" ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(content).Replace($"\"format\": {format}", $"\"format\": {BundleManifest.CurrentFormat + 1}")) : content);
        Assert.Contains($"bundle format {BundleManifest.CurrentFormat + 1} is not one this Lathe reads", Assert.Throws<BundleFormatException>(() => LoadBytes(bytes)).Message);
    }

    [Fact]
    public void A_format_1_bundle_of_an_mlp_still_loads_and_predicts()
    {
        // A classifier's temperature makes it format 6; the MLP and its pipeline alone would be format 2.
        var saved = Bundle.Load(BundlePath);
        Assert.Equal(6, saved.Manifest.Format);
        Assert.Equal(2, BundleManifest.FormatFor(saved.Model, saved.Target with { Temperature = null }));
        var bytes = Rewrite(File.ReadAllBytes(BundlePath), (name, content, zip) => zip.CreateEntry(name, CompressionLevel.NoCompression),
            (name, content) => name == "manifest.json" ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(content).Replace("\"format\": 6", "\"format\": 1")) : content);
        var bundle = LoadBytes(bytes);
        Assert.Equal(1, bundle.Manifest.Format);
        Assert.Null(bundle.Pipeline.Layout);
        using var predictor = bundle.CreatePredictor();
        Assert.NotEmpty(predictor.Predict(Lathe.Data.Sources.DataSource.Open(TestData.Vega("penguins.json")).Read()).Labels);
    }

    [Fact]
    public void Not_a_zip_at_all_is_refused()
    {
        var error = Assert.Throws<BundleFormatException>(() => LoadBytes(File.ReadAllBytes(TestData.Vega("penguins.json"))));
        Assert.Contains("not a readable Lathe bundle", error.Message);
    }

    private static Bundle LoadBytes(byte[] bytes)
    {
        var path = Path.Combine(TestData.TempDirectory(), "model.lathe");
        File.WriteAllBytes(path, bytes);
        return Bundle.Load(path);
    }

    /// <summary>Where each entry's data lies in the file, read from the zip's local headers.</summary>
    private static Dictionary<string, (int Start, int Length)> LocalEntries(byte[] zip)
    {
        var entries = new Dictionary<string, (int, int)>();
        var at = 0;
        while (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at)) == 0x04034b50)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at + 18));
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 26));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 28));
            var name = Encoding.UTF8.GetString(zip, at + 30, nameLength);
            var start = at + 30 + nameLength + extraLength;
            // Lathe writes to a seekable file, so sizes sit in the local header and no data descriptor follows.
            Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 6)) & 8);
            entries[name] = (start, size);
            at = start + size;
        }
        return entries;
    }

    private byte[] WithExtraEntry(string name)
    {
        using var stream = new MemoryStream();
        stream.Write(File.ReadAllBytes(BundlePath));
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            entry.Write("x"u8);
        }
        return stream.ToArray();
    }

    private static byte[] Rewrite(byte[] bundle, Func<string, byte[], ZipArchive, ZipArchiveEntry> create, Func<string, byte[], byte[]>? change = null)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(bundle), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var read = entry.Open();
                var content = new byte[entry.Length];
                read.ReadExactly(content);
                content = change?.Invoke(entry.FullName, content) ?? content;
                using var write = create(entry.FullName, content, target).Open();
                write.Write(content);
            }
        }
        return output.ToArray();
    }
}
