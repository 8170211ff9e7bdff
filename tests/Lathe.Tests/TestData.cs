using Lathe.Config;

namespace Lathe.Tests;

/// <summary>Where the real data sets live. They are installed by scripts/setup.sh (the README's first
/// command and .ci/run both run it); a missing one fails the test with that instruction.</summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Vega(string file) => Require(Path.Combine(RepoRoot, "data", "vega-datasets", "data", file));

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
