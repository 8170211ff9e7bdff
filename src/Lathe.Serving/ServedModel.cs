using System.Security.Cryptography;
using Lathe.Bundles;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Serving;

/// <summary>One loaded, verified and warmed bundle: its predictor, its input schema and its version (the bundle file's
/// SHA-256, first 12 hex digits). Requests hold it while they are answered, so a reload can retire it without a
/// request in flight losing its model: the network is disposed when the last holder lets go.</summary>
public sealed class ServedModel
{
    private readonly Predictor _predictor;
    private int _holders = 1;
    // Seconds of the fastest pass of 1, 2, 4 … 64 rows, timed as the model loads.
    private double[] _passSeconds = [];

    private ServedModel(Bundle bundle, Predictor predictor, string version, string path, int maxBatchSize, bool exactBatches)
    {
        MaxBatchSize = maxBatchSize;
        ExactBatches = exactBatches;
        Bundle = bundle;
        _predictor = predictor;
        Version = version;
        Path = path;
        Fields = bundle.Manifest.Input.Count > 0
            ? bundle.Manifest.Input
            : bundle.Pipeline.Schema.Features.Select(c => new InputField(c.Name, c.Type)).ToArray();
        FieldNames = Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var layout = bundle.TrainingLayout;
        Written = layout.Decimal == DecimalMark.Comma || layout.Dates == DateOrder.DayFirst ? layout : null;
        // Columns the model does not use (the target, excluded ones) may come with a record and are ignored.
        Ignored = bundle.Pipeline.Schema.Columns.Select(c => c.Name).Where(n => !FieldNames.Contains(n))
            .Concat(bundle.Manifest.Target.Split(", ")).ToHashSet(StringComparer.Ordinal);
        _imageShapes = Fields.Where(f => f.Type == ColumnType.Image).ToDictionary(f => f.Name, f =>
        {
            var shape = bundle.Pipeline.Schema.Find(f.Name)?.ImageShape
                        ?? (bundle.Model.Layout?.Images.FirstOrDefault(i => i.Name == f.Name) is { } fused ? [fused.Channels, fused.Height, fused.Width] : bundle.Model.InputShape.Select(d => (int)d).ToArray());
            return (shape[0], shape[1], shape[2]);
        }, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, (int Channels, int Height, int Width)> _imageShapes;

    public Bundle Bundle { get; }

    /// <summary>The decimal comma or day-first dates the training file was written with, which a request's text values
    /// are read with too (<see cref="CsvSource.AsRead"/>); null where it had neither.</summary>
    public CsvLayout? Written { get; }

    /// <summary>The record path for one plain JSON record, given by the server as the model loads; null where the model has none
    /// (<see cref="NoRowBecause"/> says why) or before the server gave it.</summary>
    public RecordRow? Row { get; internal set; }
    public string NoRowBecause { get; internal set; } = "";
    public string Version { get; }
    public string Path { get; }
    public IReadOnlyList<InputField> Fields { get; }
    /// <summary>The names of <see cref="Fields"/>.</summary>
    public IReadOnlySet<string> FieldNames { get; }
    public IReadOnlySet<string> Ignored { get; }

    /// <summary>Whether a request's field is one the model ignores: a name of <see cref="Ignored"/>, or a field nested in
    /// one (<c>Species.genus</c> when the target <c>Species</c> came as an object).</summary>
    public bool IsIgnored(string name)
    {
        if (Ignored.Contains(name)) return true;
        for (var dot = name.IndexOf(JsonSource.NestedSeparator, StringComparison.Ordinal); dot > 0; dot = name.IndexOf(JsonSource.NestedSeparator, dot + 1, StringComparison.Ordinal))
            if (Ignored.Contains(name[..dot])) return true;
        return false;
    }
    /// <summary>The [channels, height, width] a request's image in the field <paramref name="field"/> is decoded to.</summary>
    public (int Channels, int Height, int Width) ImageShape(string field) => _imageShapes[field];
    public FittedPipeline Pipeline => Bundle.Pipeline;
    public FittedTarget Target => Bundle.Target;
    public int OutputWidth => Predictor.OutputCount(Bundle.Target);

    /// <summary>Rows one forward pass of this model takes at most: <see cref="ServeOptions.MaxBatchSize"/> when it is set,
    /// otherwise the one <see cref="ChooseBatchSize"/> timed.</summary>
    public int MaxBatchSize { get; private set; }

    /// <summary>Every pass is padded with zero rows to <see cref="MaxBatchSize"/> (a larger input goes in several), so a
    /// row's outputs are bit for bit the same whether it came alone or joined with others: libtorch's GEMM blocks by
    /// the number of rows, and without padding a row's last bits depend on its batch's size (docs/serving.md, "Batched
    /// and single outputs"). A lone request then costs a full pass.</summary>
    public bool ExactBatches { get; }

    /// <summary>Reads, verifies and builds the bundle at <paramref name="path"/>, then runs one forward pass so that the
    /// first request pays no first-call cost. Any fault is the bundle's error; nothing is served from it.</summary>
    public static ServedModel Load(string path, int threads, int maxBatchSize = 0, bool exactBatches = false)
    {
        // The warm-up's forward passes use the serving thread count too (OpenMP's count is per thread).
        Engine.TorchRuntime.UseThreads(threads);
        // Read once: the bytes verified are the bytes the version names.
        var bytes = Bundle.ReadFile(path);
        var bundle = Bundle.Load(bytes, System.IO.Path.GetFileName(path));
        var version = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
        var model = new ServedModel(bundle, bundle.CreatePredictor(), version, path, maxBatchSize, exactBatches);
        for (var i = 0; i < 3; i++) model._predictor.Outputs(model.Blank(1));
        model.TimePasses();
        if (maxBatchSize <= 0) model.MaxBatchSize = model.ChooseBatchSize();
        return model;
    }

    /// <summary>Model input of <paramref name="rows"/> zero rows (black images), for the warm-up and the timing.</summary>
    private Features Blank(int rows)
    {
        var shape = Bundle.Model.InputShape;
        var width = (int)shape.Aggregate(1L, (a, b) => a * b);
        return shape.Length == 3
            ? Features.FromImages(new Data.ImageColumn("warm-up", new byte[rows * width], (int)shape[0], (int)shape[1], (int)shape[2]))
            : Features.FromTable(rows, new float[rows * width], width);
    }

    /// <summary>Times passes of 1, 2, 4 … 64 rows (the fastest of four each), for the batch size and the wait estimates.</summary>
    private void TimePasses()
    {
        var timings = new List<double>();
        for (var rows = 1; rows <= MaxTimedRows; rows *= 2)
        {
            var input = Blank(rows);
            _predictor.Outputs(input);
            var fastest = double.MaxValue;
            for (var i = 0; i < 4; i++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                _predictor.Outputs(input);
                fastest = Math.Min(fastest, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            timings.Add(fastest);
        }
        _passSeconds = [.. timings];
    }

    private const int MaxTimedRows = 64;

    /// <summary>The micro-batch size for this model on this machine: of the timed passes, the size with the most rows per
    /// second. A pass's cost is not always mostly fixed: the penguins MLP gains up to 64 rows, but the Fashion-MNIST
    /// CNN at one thread peaks at 8–16 images (7,400–8,200 a second) and falls to 4,300 at 64 on real images
    /// (docs/serving.md, "The batch size").</summary>
    private int ChooseBatchSize() =>
        Enumerable.Range(0, _passSeconds.Length).Select(i => (Rows: 1 << i, RowsPerSecond: (1 << i) / _passSeconds[i])).MaxBy(r => r.RowsPerSecond).Rows;

    /// <summary>How long a pass of <paramref name="rows"/> rows took as the model loaded, on a quiet core: interpolated
    /// between the timed sizes, extrapolated past 64 rows from the last two. Whether a pass's cost is mostly fixed (a
    /// small MLP) or grows with its rows (a convolutional network) is in this curve.</summary>
    public double PassSeconds(int rows)
    {
        if (_passSeconds.Length == 0 || rows <= 0) return 0;
        if (ExactBatches) return (rows + MaxBatchSize - 1) / MaxBatchSize * TimedPassSeconds(MaxBatchSize);
        return TimedPassSeconds(rows);
    }

    private double TimedPassSeconds(int rows)
    {
        if (rows == 1) return _passSeconds[0];
        var log = Math.Log2(rows);
        var below = Math.Min((int)Math.Floor(log), _passSeconds.Length - 2);
        var (low, high) = (1 << below, 1 << (below + 1));
        return _passSeconds[below] + (rows - low) * (_passSeconds[below + 1] - _passSeconds[below]) / (high - low);
    }

    /// <summary>The raw outputs for model input, row-major; the batcher calls it (the loop, or a lone request) one pass
    /// at a time. With <see cref="ExactBatches"/> the rows go in passes of exactly <see cref="MaxBatchSize"/>.</summary>
    public float[] Outputs(Features features)
    {
        var size = MaxBatchSize;
        if (!ExactBatches || features.Rows == size) return _predictor.Outputs(features);
        var width = OutputWidth;
        var outputs = new float[features.Rows * width];
        for (var start = 0; start < features.Rows; start += size)
        {
            var rows = Math.Min(size, features.Rows - start);
            _predictor.Outputs(features.Slice(start, rows, size)).AsSpan(0, rows * width).CopyTo(outputs.AsSpan(start * width));
        }
        return outputs;
    }

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
