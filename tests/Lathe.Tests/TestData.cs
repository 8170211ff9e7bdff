using Lathe.Config;

namespace Lathe.Tests;

/// <summary>Where the real data sets live. They are installed by scripts/setup.sh (the README's first
/// command and .ci/run both run it); a missing one fails the test with that instruction.</summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Vega(string file) => Require(Path.Combine(RepoRoot, "data", "vega-datasets", "data", file));

    /// <summary>A table scikit-learn ships (Debian's python3-sklearn, unpacked into data/sklearn by scripts/setup.sh).</summary>
    public static string Sklearn(string file) => Require(Path.Combine(RepoRoot, "data", "sklearn", file));

    /// <summary>A dataset statsmodels ships (Debian's python3-statsmodels, unpacked into data/statsmodels by scripts/setup.sh),
    /// as "anes96/anes96.csv".</summary>
    public static string Statsmodels(string file) => Require(Path.Combine(RepoRoot, "data", "statsmodels", file));

    /// <summary>An example workbook readxl ships (Debian's r-cran-readxl, unpacked into data/readxl by scripts/setup.sh).</summary>
    public static string Readxl(string file) => Require(Path.Combine(RepoRoot, "data", "readxl", file));

    /// <summary>A data file dslabs ships (Debian's r-cran-dslabs, unpacked into data/dslabs by scripts/setup.sh).</summary>
    public static string Dslabs(string file) => Require(Path.Combine(RepoRoot, "data", "dslabs", file));

    public static string FashionMnist(string file) => Require(Path.Combine("/usr/share/datasets/fashion-mnist", file));

    /// <summary>A file of the Unicode Character Database (Debian's unicode-data package).</summary>
    public static string Unicode(string file) => Require(Path.Combine("/usr/share/unicode", file));

    public static string FashionTrainImages => FashionMnist("train-images-idx3-ubyte.gz");
    public static string FashionTrainLabels => FashionMnist("train-labels-idx1-ubyte.gz");
    public static string FashionTestImages => FashionMnist("t10k-images-idx3-ubyte.gz");
    public static string FashionTestLabels => FashionMnist("t10k-labels-idx1-ubyte.gz");

    /// <summary>A quick, deterministic penguins config: two threads, a fresh seed-fixed split.</summary>
    public static PipelineConfig Penguins(int seed = 42) => new()
    {
        Target = "Species",
        Seed = seed,
        Data = new DataConfig { Path = Vega("penguins.json") },
        Model = new ModelConfig { Layers = [64, 32] },
        Training = new TrainingConfig { Epochs = 60, BatchSize = 32, Patience = 15, Threads = 2 },
    };

    /// <summary>The first <paramref name="count"/> Fashion-MNIST test images and labels written as a new pair of
    /// IDX files; <paramref name="alter"/> may change an image's 784 pixels (row index, pixels) on the way.</summary>
    public static (string Images, string Labels) FashionSubset(int count, Action<int, Span<byte>>? alter = null)
    {
        var table = Lathe.Data.Sources.DataSource.Open(FashionTestImages, labels: FashionTestLabels).Read();
        var pixels = ((Lathe.Data.ImageColumn)table["image"]).Pixels[..(count * 784)];
        for (var i = 0; i < count && alter is not null; i++) alter(i, pixels.AsSpan(i * 784, 784));
        var labels = ((Lathe.Data.NumericColumn)table["label"]).Values.Take(count).Select(v => (byte)v).ToArray();
        var folder = TempDirectory();
        var (images, labelFile) = (Path.Combine(folder, "images-idx3-ubyte.gz"), Path.Combine(folder, "labels-idx1-ubyte.gz"));
        WriteIdx(images, [count, 28, 28], pixels);
        WriteIdx(labelFile, [count], labels);
        return (images, labelFile);
    }

    /// <summary>The first <paramref name="count"/> Fashion-MNIST test images as PNG files in one folder, and a CSV
    /// listing each file (column <c>file</c>) with its label (<c>kind</c>) and, when given, one more column computed
    /// from the row and its label. With <paramref name="brokenEvery"/> every n-th row names a file that does not exist.</summary>
    public static (string Csv, Lathe.Data.ImageColumn Images) FashionImageTable(int count, int brokenEvery = 0, (string Name, Func<int, int, string> Value)? column = null)
    {
        var table = Lathe.Data.Sources.DataSource.Open(FashionTestImages, labels: FashionTestLabels).Read();
        var images = (Lathe.Data.ImageColumn)table["image"];
        var labels = ((Lathe.Data.NumericColumn)table["label"]).Values;
        var folder = TempDirectory();
        Directory.CreateDirectory(Path.Combine(folder, "pictures"));
        var lines = new List<string> { column is { } extra ? $"file,kind,{extra.Name}" : "file,kind" };
        for (var i = 0; i < count; i++)
        {
            var name = $"pictures/{i:D5}.png";
            using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(28, 28, SkiaSharp.SKColorType.Gray8));
            images.Pixels.AsSpan(i * 784, 784).CopyTo(bitmap.GetPixelSpan());
            using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, name), png.ToArray());
            if (brokenEvery > 0 && i % brokenEvery == brokenEvery - 1) name = $"pictures/missing-{i}.png";
            lines.Add(column is { } more ? $"{name},{labels[i]},{more.Value(i, (int)labels[i])}" : $"{name},{labels[i]}");
        }
        var csv = Path.Combine(folder, "images.csv");
        File.WriteAllLines(csv, lines);
        return (csv, images);
    }

    /// <summary>Real RGB pictures: vega-datasets' three application icons (100×100 PNG with colour), one
    /// sub-folder each, as an image folder.</summary>
    public static string IconFolder()
    {
        var folder = TempDirectory();
        foreach (var name in new[] { "7zip", "ffox", "gimp" })
        {
            Directory.CreateDirectory(Path.Combine(folder, name));
            File.Copy(Vega($"{name}.png"), Path.Combine(folder, name, $"{name}.png"));
        }
        return folder;
    }

    private static void WriteIdx(string path, int[] dims, byte[] data)
    {
        using var file = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest);
        file.Write([0, 0, 0x08, (byte)dims.Length]);
        foreach (var dim in dims) file.Write([(byte)(dim >> 24), (byte)(dim >> 16), (byte)(dim >> 8), (byte)dim]);
        file.Write(data);
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "lathe-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"test data '{path}' is missing — run scripts/setup.sh first");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lathe.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Lathe.slnx) above " + AppContext.BaseDirectory);
    }
}
