using System.Security.Cryptography;
using Lathe.Bundles;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;

namespace Lathe.Serving;

/// <summary>One loaded, verified and warmed bundle: its predictor, its input schema and its version (the bundle file's
/// SHA-256, first 12 hex digits). Requests hold it while they are answered, so a reload can retire it without a
/// request in flight losing its model: the network is disposed when the last holder lets go.</summary>
public sealed class ServedModel
{
    private readonly Predictor _predictor;
    private int _holders = 1;

    private ServedModel(Bundle bundle, Predictor predictor, string version, string path)
    {
        Bundle = bundle;
        _predictor = predictor;
        Version = version;
        Path = path;
        Fields = bundle.Manifest.Input.Count > 0
            ? bundle.Manifest.Input
            : bundle.Pipeline.Schema.Features.Select(c => new InputField(c.Name, c.Type)).ToArray();
        var features = Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        // Columns the model does not use (the target, excluded ones) may come with a record and are ignored.
        Ignored = bundle.Pipeline.Schema.Columns.Select(c => c.Name).Where(n => !features.Contains(n))
            .Concat(bundle.Manifest.Target.Split(", ")).ToHashSet(StringComparer.Ordinal);
        var image = Fields.FirstOrDefault(f => f.Type == ColumnType.Image);
        if (image is not null)
        {
            var shape = bundle.Pipeline.Schema.Find(image.Name)?.ImageShape ?? bundle.Model.InputShape.Select(d => (int)d).ToArray();
            ImageShape = (shape[0], shape[1], shape[2]);
        }
    }

    public Bundle Bundle { get; }
    public string Version { get; }
    public string Path { get; }
    public IReadOnlyList<InputField> Fields { get; }
    public IReadOnlySet<string> Ignored { get; }
    /// <summary>The [channels, height, width] a request's image is decoded to, for an image model.</summary>
    public (int Channels, int Height, int Width)? ImageShape { get; }
    public FittedPipeline Pipeline => Bundle.Pipeline;
    public FittedTarget Target => Bundle.Target;
    public int OutputWidth => Predictor.OutputCount(Bundle.Target);

    /// <summary>Reads, verifies and builds the bundle at <paramref name="path"/>, then runs one forward pass so that the
    /// first request pays no first-call cost. Any fault is the bundle's error; nothing is served from it.</summary>
    public static ServedModel Load(string path, int threads)
    {
        // The warm-up's forward passes use the serving thread count too (OpenMP's count is per thread).
        TorchSharp.torch.set_num_threads(threads > 0 ? threads : Environment.ProcessorCount);
        // Read once: the bytes verified are the bytes the version names.
        var bytes = Bundle.ReadFile(path);
        var bundle = Bundle.Load(bytes, System.IO.Path.GetFileName(path));
        var version = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
        var model = new ServedModel(bundle, bundle.CreatePredictor(), version, path);
        model.WarmUp();
        return model;
    }

    private void WarmUp()
    {
        var rows = Bundle.Model.InputShape.Aggregate(1L, (a, b) => a * b);
        var warm = Bundle.Model.InputShape.Length == 3
            ? Features.FromImages(new Data.ImageColumn("warm-up", new byte[rows], (int)Bundle.Model.InputShape[0], (int)Bundle.Model.InputShape[1], (int)Bundle.Model.InputShape[2]))
            : Features.FromTable(1, new float[rows], (int)rows);
        for (var i = 0; i < 3; i++) _predictor.Outputs(warm);
    }

    /// <summary>The raw outputs for model input; only the batch loop calls it, one pass at a time.</summary>
    public float[] Outputs(Features features) => _predictor.Outputs(features);

    /// <summary>Takes a hold on the model; false when it was already let go for good (a reload raced the request).</summary>
    public bool TryHold()
    {
        while (true)
        {
            var holders = Volatile.Read(ref _holders);
            if (holders == 0) return false;
            if (Interlocked.CompareExchange(ref _holders, holders + 1, holders) == holders) return true;
        }
    }

    /// <summary>Lets go of a hold; the last one disposes the network. The server's own hold is let go on reload and shutdown.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0) _predictor.Dispose();
    }
}
