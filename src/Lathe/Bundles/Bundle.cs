using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lathe.Data.Pipeline;
using Lathe.Models;
using static TorchSharp.torch;

namespace Lathe.Bundles;

/// <summary>A trained model and everything inference needs, as one <c>.lathe</c> zip: the manifest, the
/// resolved config, the fitted preprocessing, the model spec and the weights (safetensors). Nothing in
/// it executes code. Loading verifies every hash and refuses anything it does not expect.</summary>
public sealed class Bundle
{
    public const string ManifestEntry = "manifest.json";
    public const string ConfigEntry = "config.yaml";
    public const string PipelineEntry = "pipeline.json";
    public const string ModelEntry = "model.json";
    public const string WeightsEntry = "weights.safetensors";
    private static readonly string[] ContentEntries = [ConfigEntry, PipelineEntry, ModelEntry, WeightsEntry];
    private const long MaxEntryBytes = 4L << 30;

    public Bundle(BundleManifest manifest, string configYaml, FittedPipeline pipeline, FittedTarget target, ModelSpec model, byte[] weights)
    {
        Manifest = manifest;
        ConfigYaml = configYaml;
        Pipeline = pipeline;
        Target = target;
        Model = model;
        Weights = weights;
    }

    public BundleManifest Manifest { get; }
    public string ConfigYaml { get; }
    public FittedPipeline Pipeline { get; }
    public FittedTarget Target { get; }
    public ModelSpec Model { get; }
    /// <summary>The weights, as a safetensors file.</summary>
    public byte[] Weights { get; }

    /// <summary>How the training file was laid out as its config set it (data.delimiter, data.skip_rows, data.header,
    /// data.decimal, data.dates), with a decimal comma or day-first dates the reader found in it (the resolved config
    /// records them): how <c>lathe predict</c> and <c>evaluate</c> read a file unless told otherwise, and <c>lathe
    /// serve</c> a request's text, so a model trained on a file without a header reads its like. All auto when the
    /// config cannot be read as this Lathe reads configs (a bundle from an older one whose keys have changed since).</summary>
    public Data.Sources.CsvLayout TrainingLayout => TrainingData?.Layout ?? Data.Sources.CsvLayout.Detect;

    /// <summary>The query the training table came from when it came from a SQLite database (data.query), so that
    /// <c>lathe predict</c> and <c>evaluate</c> on another database ask it for the same rows unless told otherwise;
    /// null when there was none, or for a PostgreSQL connection, whose query is never reused on a file.</summary>
    public string? TrainingQuery => TrainingData is { Connection: null, Format: not Config.DataFormat.Postgres } data ? data.Query : null;

    /// <summary>The training config's data section; null when the config cannot be read as this Lathe reads configs.</summary>
    private Config.DataConfig? TrainingData
    {
        get
        {
            try
            {
                return Config.ConfigReader.Parse(ConfigYaml, ConfigEntry).Data;
            }
            catch (Config.ConfigException)
            {
                return null;
            }
        }
    }

    /// <summary>Writes the bundle atomically (see <see cref="AtomicFile"/>).</summary>
    public void Save(string path)
    {
        var contents = new Dictionary<string, byte[]>
        {
            [ConfigEntry] = Encoding.UTF8.GetBytes(ConfigYaml),
            [PipelineEntry] = JsonSerializer.SerializeToUtf8Bytes(new PipelineFile(Pipeline, Target), BundleJson.Options),
            [ModelEntry] = JsonSerializer.SerializeToUtf8Bytes(Model, BundleJson.Options),
            [WeightsEntry] = Weights,
        };
        var manifest = Manifest with { Entries = contents.ToDictionary(p => p.Key, p => Sha256(p.Value)) };
        AtomicFile.Write(path, file =>
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            // Entries are stored, not compressed: weights barely compress, and a reader can then refuse every compressed entry, zip bombs included.
            Add(zip, ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest, BundleJson.Options));
            foreach (var (name, bytes) in contents) Add(zip, name, bytes);
        });
    }

    /// <summary>Reads and verifies a bundle. Any fault is a <see cref="BundleFormatException"/> naming the entry.</summary>
    public static Bundle Load(string path) => Load(ReadFile(path), Path.GetFileName(path));

    /// <summary>A bundle file's bytes, or an error saying it is not there or too large to hold.</summary>
    public static byte[] ReadFile(string path)
    {
        if (!File.Exists(path)) throw new LatheException($"model bundle '{path}' does not exist — train one with `lathe train CONFIG`");
        var length = new FileInfo(path).Length;
        if (length > Array.MaxLength)
            throw new BundleFormatException($"{Path.GetFileName(path)}: {length} bytes, over the {Array.MaxLength} a bundle may have");
        return File.ReadAllBytes(path);
    }

    /// <summary>Reads and verifies a bundle from its bytes (a server that also hashes the file reads it once); <paramref name="name"/>
    /// names it in errors.</summary>
    public static Bundle Load(byte[] contents, string name)
    {
        var entries = ReadEntries(new MemoryStream(contents, writable: false), name);

        BundleManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BundleManifest>(entries[ManifestEntry], BundleJson.Options)
                       ?? throw new BundleFormatException($"{name}: entry '{ManifestEntry}' is empty");
        }
        catch (JsonException e)
        {
            throw new BundleFormatException($"{name}: entry '{ManifestEntry}' is not a valid manifest ({e.Message.Split(" Path:")[0]})");
        }
        if (manifest.Format > BundleManifest.CurrentFormat || manifest.Format < 1)
            throw new BundleFormatException($"{name}: bundle format {manifest.Format} is not one this Lathe reads (format {BundleManifest.CurrentFormat}) — use the Lathe version that made it ({manifest.Lathe})");

        foreach (var entry in ContentEntries)
        {
            if (!manifest.Entries.TryGetValue(entry, out var expected))
                throw new BundleFormatException($"{name}: the manifest lists no hash for entry '{entry}'");
            if (Sha256(entries[entry]) != expected)
                throw new BundleFormatException($"{name}: entry '{entry}' fails its SHA-256 check — the bundle is corrupt or was modified after it was written");
        }

        var pipeline = Parse<PipelineFile>(name, PipelineEntry, entries[PipelineEntry]);
        var model = Parse<ModelSpec>(name, ModelEntry, entries[ModelEntry]);
        return new Bundle(manifest, Encoding.UTF8.GetString(entries[ConfigEntry]), pipeline.Pipeline, pipeline.Target, model, entries[WeightsEntry]);
    }

    /// <summary>Every entry's bytes, after the archive-level checks: safe names, no duplicates or strangers,
    /// stored not compressed, within size, CRC-32 intact. The zip library's own errors become bundle errors.</summary>
    private static Dictionary<string, byte[]> ReadEntries(Stream archive, string name)
    {
        string? current = null;
        try
        {
            using var zip = new ZipArchive(archive, ZipArchiveMode.Read);
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                CheckName(name, entry.FullName);
                if (!entries.TryAdd(entry.FullName, entry))
                    throw new BundleFormatException($"{name}: entry '{entry.FullName}' appears twice");
                if (entry.FullName != ManifestEntry && !ContentEntries.Contains(entry.FullName))
                    throw new BundleFormatException($"{name}: unexpected entry '{entry.FullName}' — a Lathe bundle holds only {ManifestEntry}, {string.Join(", ", ContentEntries)}");
                if (entry.CompressedLength != entry.Length)
                    throw new BundleFormatException($"{name}: entry '{entry.FullName}' is compressed; Lathe writes stored entries only");
                if (entry.Length > MaxEntryBytes)
                    throw new BundleFormatException($"{name}: entry '{entry.FullName}' declares {entry.Length} bytes, over the {MaxEntryBytes} limit");
            }

            var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var entry in ContentEntries.Prepend(ManifestEntry))
            {
                current = entry;
                if (!entries.TryGetValue(entry, out var zipEntry))
                    throw new BundleFormatException($"{name}: entry '{entry}' is missing");
                using var stream = zipEntry.Open();
                var bytes = new byte[zipEntry.Length];
                stream.ReadExactly(bytes);
                if (Crc32(bytes) != zipEntry.Crc32)
                    throw new BundleFormatException($"{name}: entry '{entry}' fails its CRC-32 check — the bundle is corrupt");
                contents[entry] = bytes;
            }
            return contents;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or NotSupportedException or ArgumentException)
        {
            throw new BundleFormatException(current is null
                ? $"{name}: not a readable Lathe bundle — the file is truncated or not a zip archive ({e.Message})"
                : $"{name}: entry '{current}' cannot be read — the bundle is corrupt or truncated ({e.Message})");
        }
    }

    /// <summary>Builds the network and loads the weights into it; the caller owns the module.</summary>
    public nn.Module<Tensor, Tensor> CreateModel()
    {
        var model = Model.Build();
        var weights = SafeTensors.Read(Weights, WeightsEntry);
        try
        {
            model.load_state_dict(weights, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            model.Dispose();
            throw new BundleFormatException($"entry '{WeightsEntry}' does not fit the network in '{ModelEntry}': {e.Message}");
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
        model.eval();
        return model;
    }

    public Predictor CreatePredictor() => new(Pipeline, Target, CreateModel());

    private static void CheckName(string bundle, string entry)
    {
        var escapes = entry.Length == 0 || entry.StartsWith('/') || entry.Contains('\\') || entry.Contains(':')
                      || entry.Split('/').Any(part => part is ".." or ".");
        if (escapes) throw new BundleFormatException($"{bundle}: entry '{entry}' has a name that escapes the archive; refusing the bundle");
    }

    private static T Parse<T>(string bundle, string entry, byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, BundleJson.Options) ?? throw new BundleFormatException($"{bundle}: entry '{entry}' is empty");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new BundleFormatException($"{bundle}: entry '{entry}' is not valid ({e.Message.Split(" Path:")[0]})");
        }
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var stream = entry.Open();
        stream.Write(bytes);
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    private sealed record PipelineFile(FittedPipeline Pipeline, FittedTarget Target);
}
