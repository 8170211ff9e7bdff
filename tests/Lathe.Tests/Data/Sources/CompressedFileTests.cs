using System.IO.Compression;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Sources;

/// <summary>Data files as they are downloaded: real tables gzipped and zipped read as the tables they hold, and every
/// compressed file Lathe cannot read refused with what to do.</summary>
public class CompressedFileTests
{
    [Fact]
    public void Gzipped_json_and_json_lines_read_as_the_files_they_hold()
    {
        // Before, penguins.json.gz was taken for JSON by its name and its gzip bytes parsed as JSON.
        var original = TestData.Vega("penguins.json");
        var expected = DataSource.Open(original).Read();
        var dir = TestData.TempDirectory();
        var gzipped = Gzip(original, Path.Combine(dir, "penguins.json.gz"));
        BatchAssert.SameAsRead(expected, [DataSource.Open(gzipped).Read()], expected.RowCount);

        // The same records one per line, gzipped, streamed in batches of 50.
        var lines = Path.Combine(dir, "penguins.jsonl");
        File.WriteAllLines(lines, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(original))!.AsArray().Select(r => r!.ToJsonString()));
        var expectedLines = DataSource.Open(lines).Read();
        var source = DataSource.Open(Gzip(lines, lines + ".gz"));
        BatchAssert.SameAsRead(expectedLines, source.ReadBatches(50).ToList(), 50);
    }

    [Fact]
    public void A_zip_of_one_csv_reads_as_the_csv_whatever_the_archive_is_called()
    {
        var original = TestData.Vega("seattle-weather.csv");
        var expected = DataSource.Open(original).Read();
        var dir = TestData.TempDirectory();

        // mtcars.csv.zip, as readr ships it: the format from the name.
        var named = Zip(Path.Combine(dir, "seattle-weather.csv.zip"), ("seattle-weather.csv", original));
        BatchAssert.SameAsRead(expected, [DataSource.Open(named).Read()], expected.RowCount);

        // export.zip, as a Mac zips a folder: the format from the one data file inside, its folder and macOS's files aside.
        var export = Zip(Path.Combine(dir, "export.zip"), ("export/", null), ("export/seattle-weather.csv", original),
            ("__MACOSX/export/._seattle-weather.csv", original), ("export/.DS_Store", original));
        Assert.Equal(DataFormat.Csv, DataSource.Detect(export));
        Assert.True(DataSource.TakesLayout(export));
        BatchAssert.SameAsRead(expected, [DataSource.Open(export).Read()], expected.RowCount);
        // Streamed through a small buffer, batch by batch.
        BatchAssert.SameAsRead(expected, new CsvSource(export).ReadBatches(300, 8192).ToList(), 300);
    }

    [Fact]
    public void A_zip_of_several_files_or_none_is_refused_naming_them()
    {
        var dir = TestData.TempDirectory();
        var two = Zip(Path.Combine(dir, "two.zip"), ("seattle-weather.csv", TestData.Vega("seattle-weather.csv")), ("weather.csv", TestData.Vega("weather.csv")));
        var error = Assert.Throws<DataException>(() => DataSource.Open(two));
        Assert.Equal($"{two}: the zip archive holds 2 files (seattle-weather.csv, weather.csv); Lathe reads a zip of one data file — unzip it and name the file to read", error.Message);

        var empty = Zip(Path.Combine(dir, "empty.zip"), ("folder/", null));
        Assert.Equal($"{empty}: the zip archive holds no file", Assert.Throws<DataException>(() => DataSource.Open(empty)).Message);
    }

    [Fact]
    public void Corrupt_archives_are_refused_naming_the_file()
    {
        var dir = TestData.TempDirectory();
        var original = TestData.Vega("seattle-weather.csv");

        // A zip cut short loses its central directory, at the end of the file.
        var zip = Zip(Path.Combine(dir, "cut.csv.zip"), ("seattle-weather.csv", original));
        var bytes = File.ReadAllBytes(zip);
        File.WriteAllBytes(zip, bytes[..(bytes.Length / 2)]);
        Assert.StartsWith($"{zip}: not a zip archive that can be read (", Assert.Throws<DataException>(() => DataSource.Open(zip).Read()).Message);

        // Gzipped JSON with a flipped byte in the middle of its compressed stream.
        var json = Gzip(TestData.Vega("penguins.json"), Path.Combine(dir, "flipped.json.gz"));
        var gz = File.ReadAllBytes(json);
        gz[gz.Length / 2] ^= 0xFF;
        File.WriteAllBytes(json, gz);
        var error = Assert.ThrowsAny<DataException>(() => DataSource.Open(json).Read());
        Assert.StartsWith($"{json}: ", error.Message);
    }

    [Theory]
    [InlineData("mtcars.csv.bz2", "compressed with bzip2, which Lathe does not decompress (it reads .gz and .zip) — decompress it first (bunzip2 -k mtcars.csv.bz2)")]
    [InlineData("mtcars.csv.xz", "compressed with xz, which Lathe does not decompress (it reads .gz and .zip) — decompress it first (unxz -k mtcars.csv.xz)")]
    [InlineData("flights.parquet.gz", "compressed parquet is not read (CSV, TSV, JSON and JSON Lines are, gzipped or zipped; IDX gzipped) — decompress it first")]
    public void Compressions_and_formats_it_does_not_read_are_refused_saying_what_to_do(string name, string message)
    {
        var path = Path.Combine(TestData.TempDirectory(), name);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal($"{path}: {message}", Assert.Throws<DataException>(() => DataSource.Open(path)).Message);
    }

    private static string Gzip(string from, string to)
    {
        using var gzip = new GZipStream(File.Create(to), CompressionLevel.Optimal);
        gzip.Write(File.ReadAllBytes(from));
        return to;
    }

    /// <summary>A zip of the entries given: a name ending in / is a folder; otherwise the file's bytes under that name.</summary>
    private static string Zip(string to, params (string Name, string? From)[] entries)
    {
        using var archive = ZipFile.Open(to, ZipArchiveMode.Create);
        foreach (var (name, from) in entries)
        {
            var entry = archive.CreateEntry(name);
            if (from is null) continue;
            using var stream = entry.Open();
            stream.Write(File.ReadAllBytes(from));
        }
        return to;
    }
}
