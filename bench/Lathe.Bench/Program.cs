using System.Diagnostics;
using System.Globalization;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Bundles;
using Lathe.Engine;
using Lathe.Models;
using Lathe.Training;
using TorchSharp;

// Lathe's side of the side-by-side benchmarks in bench/. Each mode is one one-shot process, as a user runs
// `lathe prepare`; it prints one JSON line of phase timings, the output's shape and a checksum, and the peak
// resident memory, which bench/*/run.sh puts beside the peer's figures.
var clock = Stopwatch.StartNew();
var phases = new List<(string Name, double Seconds)>();
void Phase(string name)
{
    phases.Add((name, clock.Elapsed.TotalSeconds));
    clock.Restart();
}

switch (args)
{
    case ["prepare", var configFile]:
    {
        var config = ConfigReader.Load(configFile);
        var stage = "start";
        var prepared = Preparation.Run(config, Path.GetTempPath(), new SynchronousProgress(next =>
        {
            Phase(stage);
            stage = next;
        }));
        Phase(stage);
        double checksum = 0;
        long cells = 0;
        var shapes = new List<string>();
        // As training does: the training rows as fitting left them, the other parts through the fitted pipeline.
        var parts = new (string Name, Func<Table> Input)[]
        {
            ("train", () => prepared.TrainInput),
            ("validation", () => prepared.Pipeline.TransformTable(prepared.Validation)),
            ("test", () => prepared.Pipeline.TransformTable(prepared.Test)),
        };
        foreach (var (name, input) in parts)
        {
            var features = prepared.Pipeline.Pack(input());
            Phase($"{name} matrix");
            var values = features.Values!;
            cells += values.LongLength;
            // A strided checksum proves the matrix was built without timing a full pass over it.
            for (long i = 0; i < values.LongLength; i += 9973) checksum += values[i];
            shapes.Add($"{features.Rows}x{features.ItemShape[0]}");
        }
        Report("prepare", $"\"shape\": \"{string.Join(" + ", shapes)}\", \"cells\": {cells}, \"checksum\": {checksum.ToString("R", CultureInfo.InvariantCulture)}");
        break;
    }
    case ["steps", var configFile]:
    {
        // For finding where the time goes: the preparation's parts one by one, each timed.
        var config = ConfigReader.Load(configFile);
        var table = DataSource.Open(config.Data).Read();
        Phase("read");
        foreach (var column in table.Columns)
        {
            Lathe.Data.Schema.SchemaInference.InferType(column);
            Phase($"infer type of {column.Name}");
        }
        var schema = Lathe.Data.Schema.SchemaInference.Infer(table, config.Target, config.Data.Exclude);
        Phase("infer types");
        Lathe.Data.Cleaning.TypeCoercion.FindBadRows(table, schema, config.Target);
        Phase("find bad rows");
        var typed = Lathe.Data.Cleaning.TypeCoercion.Apply(table, schema);
        Phase("coerce types");
        foreach (var step in FittedPipeline.StepsFor(config.Prepare, schema))
        {
            var fitted = step.Fit(typed);
            Phase($"fit {step.GetType().Name}");
            typed = fitted.Transform(typed);
            Phase($"apply {step.GetType().Name}");
        }
        Report("steps", $"\"rows\": {typed.RowCount}");
        break;
    }
    case ["read-check", var file, var times]:
    {
        // Reads a file again and again and compares every value with the first read: a race shows as a difference.
        string[] Snapshot()
        {
            var t = DataSource.Open(file, DataFormat.Auto, null, TextEncoding.Auto, 0.01).Read();
            return t.Columns.SelectMany(c => c switch
            {
                NumericColumn n => n.Values.Select((v, i) => $"{c.Name}[{i}]={v.ToString("R", CultureInfo.InvariantCulture)}"),
                StringColumn s => s.Values.Select((v, i) => $"{c.Name}[{i}]={v}"),
                _ => [c.Name],
            }).ToArray();
        }
        var first = Snapshot();
        var differ = 0;
        for (var k = 0; k < int.Parse(times, CultureInfo.InvariantCulture); k++)
        {
            var again = Snapshot();
            var at = Enumerable.Range(0, Math.Min(first.Length, again.Length)).FirstOrDefault(i => first[i] != again[i], -1);
            if (at < 0 && first.Length == again.Length) continue;
            if (differ++ == 0) Console.WriteLine($"first difference: {(at < 0 ? "length" : $"{first[at]} then {again[at]}")}");
        }
        Console.WriteLine($"{differ} of {times} reads differ from the first");
        break;
    }
    case ["ingest", var csv]:
    {
        var table = DataSource.Open(csv, DataFormat.Auto, null, TextEncoding.Auto, 0.01).Read();
        Phase($"read {Path.GetExtension(csv).TrimStart('.')}");
        Report("ingest", $"\"rows\": {table.RowCount}, \"columns\": {table.Columns.Count}, \"quarantined\": {table.Quarantined.Count}");
        break;
    }
    case ["to-csv", var input, var output]:
    {
        // The peer has no Parquet reader on Debian (no pyarrow): it is given the same rows as CSV.
        var table = DataSource.Open(input, DataFormat.Auto, null, TextEncoding.Auto, 0.01).Read();
        using var writer = new StreamWriter(output);
        // A name may hold a comma (a one-hot column "country=Hong Kong, China"): quoted as CSV quotes it.
        writer.WriteLine(string.Join(",", table.ColumnNames.Select(n => n.IndexOfAny([',', '"', '\n']) < 0 ? n : $"\"{n.Replace("\"", "\"\"")}\"")));
        for (var row = 0; row < table.RowCount; row++) writer.WriteLine(table.RowText(row));
        Console.WriteLine($"wrote {table.RowCount:N0} rows to {output}");
        break;
    }
    case ["train", var model, var configFile, var epochText, var threadText, .. var rest]:
    {
        // Training throughput of the Trainer that `lathe train` runs, on the data `lathe train` prepares, timed by a
        // callback from the end of the warm-up batches to the end of each epoch's last batch: data preparation and
        // the per-epoch validation pass are left out. Then inference through the prediction path (Forward, decoding).
        var threads = TorchRuntime.Configure(int.Parse(threadText, CultureInfo.InvariantCulture), 42);
        var config = ConfigReader.Load(configFile);
        // EPOCHS 0 skips training: inference only, on the initial weights (its speed does not depend on them).
        var epochs = int.Parse(epochText, CultureInfo.InvariantCulture);
        config = config with { Training = config.Training with { Epochs = Math.Max(1, epochs), Threads = threads } };
        var prepared = Preparation.Run(config, Path.GetTempPath());
        // ROWS (optional) trains on the first rows of the training part only: shorter epochs, the same rate.
        var calls = rest is [_, var callText] ? int.Parse(callText, CultureInfo.InvariantCulture) : 10_000;
        if (rest is [var rowText, ..])
        {
            var keep = Enumerable.Range(0, Math.Min(int.Parse(rowText, CultureInfo.InvariantCulture), prepared.Train.RowCount)).ToArray();
            prepared = prepared with { Train = prepared.Train.Gather(keep), TrainInput = prepared.TrainInput.Gather(keep) };
        }
        var trainFeatures = prepared.Pipeline.Pack(prepared.TrainInput);
        var validationFeatures = prepared.Pipeline.Transform(prepared.Validation);
        var modelConfig = config.Model;
        if (model == "mlp")
        {
            // `lathe train` has no MLP over images: the same pixels, normalised and flattened to a 784-wide table.
            (trainFeatures, validationFeatures) = (Flatten(trainFeatures), Flatten(validationFeatures));
            modelConfig = modelConfig with { Kind = ModelKind.Mlp, Layers = [256, 128], Dropout = 0 };
        }
        Phase("prepare");
        using var train = LabelledData.From(prepared.Train, trainFeatures, prepared.Target);
        using var validation = LabelledData.From(prepared.Validation, validationFeatures, prepared.Target);
        var spec = ModelSpec.Resolve(modelConfig, trainFeatures.ItemShape, Predictor.OutputCount(prepared.Target));
        using var network = spec.Build();
        Initialization.Apply(network, config.Training.Init, config.Seed);
        var parameters = network.parameters().Sum(p => p.numel());
        var batchClock = new BatchClock(20, config.Training.BatchSize, train.Count);
        if (epochs > 0) new Trainer(config.Training, prepared.Target, prepared.Metric, config.Seed, [batchClock]).Fit(network, train, validation);
        Phase("train");
        var (p50, p99) = SingleRowLatency(network, validationFeatures, prepared.Target, calls);
        var (batchThroughput, batchCpuThroughput) = BatchThroughput(network, validationFeatures, prepared.Target, seconds: 5);
        Phase("inference");
        Report("train", Json(("model", $"\"{model}\""), ("threads", threads), ("rows", train.Count), ("parameters", parameters), ("batch_size", config.Training.BatchSize),
            ("samples_per_s", batchClock.SamplesPerSecond), ("samples_per_cpu_s", batchClock.SamplesPerCpuSecond), ("samples_per_s_epochs", $"[{string.Join(", ", batchClock.PerEpoch.Select(Number))}]"),
            ("validation_metric", batchClock.LastMetric),
            ("single_row_p50_ms", p50), ("single_row_p99_ms", p99), ("batch256_rows_per_s", batchThroughput), ("batch256_rows_per_cpu_s", batchCpuThroughput)));
        break;
    }
    case ["overhead", var model, var configFile, var threadText, var rowText, var roundText]:
    {
        // What the Trainer adds over a plain TorchSharp loop (index_select from a preloaded float tensor, zero_grad,
        // forward, cross_entropy, backward, step): the same model and rows, one epoch of each in turn, ROUNDS times,
        // in one process, so that load from other work on the machine falls on both alike.
        var threads = TorchRuntime.Configure(int.Parse(threadText, CultureInfo.InvariantCulture), 42);
        var config = ConfigReader.Load(configFile);
        config = config with { Training = config.Training with { Epochs = 1, Threads = threads } };
        var prepared = Preparation.Run(config, Path.GetTempPath());
        var keep = Enumerable.Range(0, Math.Min(int.Parse(rowText, CultureInfo.InvariantCulture), prepared.Train.RowCount)).ToArray();
        prepared = prepared with { Train = prepared.Train.Gather(keep), TrainInput = prepared.TrainInput.Gather(keep) };
        var trainFeatures = prepared.Pipeline.Pack(prepared.TrainInput);
        var modelConfig = config.Model;
        if (model == "mlp")
        {
            trainFeatures = Flatten(trainFeatures);
            modelConfig = modelConfig with { Kind = ModelKind.Mlp, Layers = [256, 128], Dropout = 0 };
        }
        using var train = LabelledData.From(prepared.Train, trainFeatures, prepared.Target);
        using var validation = LabelledData.From(prepared.Train.Gather([0]), Row(trainFeatures, 0), prepared.Target);
        using var network = ModelSpec.Resolve(modelConfig, trainFeatures.ItemShape, Predictor.OutputCount(prepared.Target)).Build();
        using var all = train.Input.Slice(0, train.Count);
        var (trainer, plain) = (new List<double>(), new List<double>());
        using var optimizer = Optimizers.Create(config.Training, network.parameters());
        var plainLatheRows = new List<double>();
        void Plain(bool latheRows = false)
        {
            network.train();
            using var order = torch.randperm(train.Count);
            var cpuStart = TimeSpan.Zero;
            var batches = (train.Count + config.Training.BatchSize - 1) / config.Training.BatchSize;
            for (var b = 0; b < batches; b++)
            {
                if (b == 20) cpuStart = Environment.CpuUsage.TotalTime;
                using var scope = torch.NewDisposeScope();
                var index = order.narrow(0, b * config.Training.BatchSize, Math.Min(config.Training.BatchSize, train.Count - b * config.Training.BatchSize));
                optimizer.zero_grad();
                var input = latheRows ? train.Input.Rows(index) : all.index_select(0, index);
                var loss = torch.nn.functional.cross_entropy(network.forward(input), train.Target.index_select(0, index));
                loss.backward();
                optimizer.step();
                loss.item<float>();
            }
            (latheRows ? plainLatheRows : plain).Add((train.Count - 20 * config.Training.BatchSize) / (Environment.CpuUsage.TotalTime - cpuStart).TotalSeconds);
        }
        for (var round = 0; round < int.Parse(roundText, CultureInfo.InvariantCulture); round++)
        {
            // Each round swaps which goes first, so that neither always runs on the other's warm caches.
            if (round % 2 == 1) Plain();
            var clockCallback = new BatchClock(20, config.Training.BatchSize, train.Count);
            new Trainer(config.Training, prepared.Target, prepared.Metric, config.Seed + round, [clockCallback]).Fit(network, train, validation);
            trainer.Add(clockCallback.SamplesPerCpuSecond);
            if (round % 2 == 0) Plain();
            // The plain loop again, its batches made as the Trainer makes them (InputTensor.Rows: bytes to float32).
            Plain(latheRows: true);
            Console.Error.WriteLine($"round {round + 1}: Trainer {trainer[^1]:0} samples per CPU second, plain loop {plain[^1]:0}, plain loop with Lathe's batches {plainLatheRows[^1]:0}");
        }
        var ratios = trainer.Zip(plain, (t, p) => t / p).Order().ToArray();
        Report("overhead", Json(("model", $"\"{model}\""), ("threads", threads), ("rows", train.Count),
            ("trainer_samples_per_cpu_s", $"[{string.Join(", ", trainer.Select(Number))}]"), ("plain_samples_per_cpu_s", $"[{string.Join(", ", plain.Select(Number))}]"),
            ("plain_lathe_rows_samples_per_cpu_s", $"[{string.Join(", ", plainLatheRows.Select(Number))}]"),
            ("median_ratio", ratios[ratios.Length / 2])));
        break;
    }
    case ["latency", var model, var configFile, var threadText, var callText]:
    {
        // Where a single-row prediction's time goes: the input tensor made and freed, the network alone on a
        // prebuilt float tensor, and the whole Predictor path; p50 of CALLS calls each, after 200 warm-up calls.
        var threads = TorchRuntime.Configure(int.Parse(threadText, CultureInfo.InvariantCulture), 42);
        var calls = int.Parse(callText, CultureInfo.InvariantCulture);
        var config = ConfigReader.Load(configFile);
        config = config with { Training = config.Training with { Threads = threads } };
        var prepared = Preparation.Run(config, Path.GetTempPath());
        var features = prepared.Pipeline.Transform(prepared.Validation);
        var modelConfig = config.Model;
        if (model == "mlp") (features, modelConfig) = (Flatten(features), modelConfig with { Kind = ModelKind.Mlp, Layers = [256, 128], Dropout = 0 });
        using var network = ModelSpec.Resolve(modelConfig, features.ItemShape, Predictor.OutputCount(prepared.Target)).Build();
        network.eval();
        var rows = Enumerable.Range(0, 64).Select(r => Row(features, r)).ToArray();
        double P50(Action<int> call)
        {
            var times = new double[calls];
            for (var i = -200; i < calls; i++)
            {
                var watch = Stopwatch.StartNew();
                call((i + 200) % rows.Length);
                if (i >= 0) times[i] = watch.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            return times[calls / 2];
        }
        var inputs = rows.Select(r => { using var input = new InputTensor(r); return input.Slice(0, 1); }).ToArray();
        var make = P50(i => { using var input = new InputTensor(rows[i]); });
        var forwardOnly = P50(i => { using var _ = torch.no_grad(); using var output = network.forward(inputs[i]); });
        var scoped = P50(i => { using var _ = torch.no_grad(); using var scope = torch.NewDisposeScope(); network.forward(inputs[i]).contiguous(); });
        var converted = P50(i => { using var input = new InputTensor(rows[i]); using var _ = torch.no_grad(); using var scope = torch.NewDisposeScope(); network.forward(input.Slice(0, 1)).contiguous(); });
        var outputs = P50(i => { using var input = new InputTensor(rows[i]); Forward.Outputs(network, input, Predictor.OutputCount(prepared.Target)); });
        var whole = P50(i => { using var input = new InputTensor(rows[i]); Predictor.Predict(network, input, prepared.Target); });
        Console.WriteLine($"{{\"model\": \"{model}\", \"make_input_ms\": {Number(make)}, \"forward_only_ms\": {Number(forwardOnly)}, \"scoped_ms\": {Number(scoped)}, \"converted_ms\": {Number(converted)}, \"forward_outputs_ms\": {Number(outputs)}, \"predict_ms\": {Number(whole)}, \"gc\": \"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}\"}}");
        break;
    }
    case ["matmul", var threadText]:
    {
        // The machine's matrix-multiply peak through libtorch: fp32 n×n by n×n, best of several repeats.
        var threads = TorchRuntime.Configure(int.Parse(threadText, CultureInfo.InvariantCulture), 42);
        var results = new List<(string, object)> { ("threads", threads) };
        foreach (var n in new[] { 1024, 2048 })
        {
            using var a = torch.randn(n, n);
            using var b = torch.randn(n, n);
            torch.mm(a, b).Dispose();
            var best = double.MaxValue;
            for (var repeat = 0; repeat < (n == 1024 ? 20 : 6); repeat++)
            {
                var watch = Stopwatch.StartNew();
                using var c = torch.mm(a, b);
                best = Math.Min(best, watch.Elapsed.TotalSeconds);
            }
            results.Add(($"gflops_{n}", 2.0 * n * n * n / best / 1e9));
        }
        Phase("matmul");
        Report("matmul", Json([.. results]));
        break;
    }
    case ["step", var threadText, ..] when args.Length <= 3:
    {
        // Where an MLP training step goes, in a plain TorchSharp loop (no Trainer): the MLP 784-256-128-10 with Adam on
        // one batch of 128 random rows; best of five rounds of 2,000 steps each for the whole step, zero-grad + forward +
        // backward, and optimizer.step() alone. bench/train/step.py is the same loop in PyTorch.
        var threads = TorchRuntime.Configure(int.Parse(threadText, CultureInfo.InvariantCulture), 42);
        var network = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10));
        // Lathe's Adam (one pass per parameter) unless "torch" asks for TorchSharp's own.
        var ownAdam = args.Length < 3 || args[2] != "torch";
        var optimizer = ownAdam ? new FusedAdam(network.parameters(), 0.001, 0, decoupled: false) : torch.optim.Adam(network.parameters(), 0.001);
        using var x = torch.rand(128, 784);
        using var y = torch.randint(0, 10, [128]);
        double Best(Action step)
        {
            for (var i = 0; i < 100; i++) step();
            var best = double.MaxValue;
            for (var round = 0; round < 5; round++)
            {
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < 2000; i++) step();
                best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalMicroseconds / 2000);
            }
            return best;
        }
        void ForwardBackward()
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            torch.nn.functional.cross_entropy(network.forward(x), y).backward();
        }
        var whole = Best(() =>
        {
            ForwardBackward();
            using var scope = torch.NewDisposeScope();
            optimizer.step();
        });
        var forwardBackward = Best(ForwardBackward);
        var step = Best(() =>
        {
            using var scope = torch.NewDisposeScope();
            optimizer.step();
        });
        Console.WriteLine($"{{{Json(("tool", "\"lathe\""), ("mode", "\"step\""), ("adam", ownAdam ? "\"lathe\"" : "\"torchsharp\""), ("threads", threads), ("step_us", whole), ("forward_backward_us", forwardBackward),
            ("optimizer_us", step), ("samples_per_second", 128 / whole * 1e6))}}}");
        break;
    }
    default:
        Console.Error.WriteLine("usage: Lathe.Bench prepare CONFIG | ingest FILE | to-csv FILE OUT.csv | train mlp|cnn CONFIG EPOCHS THREADS [ROWS [CALLS]] | latency mlp|cnn CONFIG THREADS CALLS | step THREADS [torch] | matmul THREADS");
        return 2;
}
return 0;

static Features Flatten(Features images)
{
    var pixels = images.Pixels!;
    var values = new float[pixels.Length];
    for (var i = 0; i < pixels.Length; i++) values[i] = pixels[i] * images.Scale + images.Shift;
    return Features.FromTable(images.Rows, values, pixels.Length / images.Rows);
}

// Single-row latency as a caller of the Predictor sees it: one row's input tensor made, the network run, decoded.
static (double P50, double P99) SingleRowLatency(torch.nn.Module<torch.Tensor, torch.Tensor> model, Features features, FittedTarget target, int calls)
{
    var rows = Enumerable.Range(0, 64).Select(r => Row(features, r)).ToArray();
    var times = new double[calls];
    for (var i = -200; i < calls; i++)
    {
        var watch = Stopwatch.StartNew();
        using (var input = new InputTensor(rows[(i + 200) % rows.Length])) Predictor.Predict(model, input, target);
        if (i >= 0) times[i] = watch.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    return (times[calls / 2], times[calls * 99 / 100]);
}

// Rows per second (wall, and CPU) of the batch path (Forward's batches of 256) over preloaded input, decoding included.
static (double Wall, double Cpu) BatchThroughput(torch.nn.Module<torch.Tensor, torch.Tensor> model, Features features, FittedTarget target, double seconds)
{
    using var input = new InputTensor(features);
    Predictor.Predict(model, input, target);
    var watch = Stopwatch.StartNew();
    var cpu = Environment.CpuUsage.TotalTime;
    long rows = 0;
    while (watch.Elapsed.TotalSeconds < seconds)
    {
        Predictor.Predict(model, input, target);
        rows += input.Count;
    }
    return (rows / watch.Elapsed.TotalSeconds, rows / (Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
}

static Features Row(Features features, int row)
{
    var width = (int)features.ItemShape.Aggregate(1L, (a, b) => a * b);
    return features.IsImage
        ? Features.FromImages(new ImageColumn("image", features.Pixels.AsSpan(row * width, width).ToArray(),
            (int)features.ItemShape[0], (int)features.ItemShape[1], (int)features.ItemShape[2], features.Scale, features.Shift))
        : Features.FromTable(1, features.Values.AsSpan(row * width, width).ToArray(), width);
}

static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

static string Json(params (string Key, object Value)[] fields) =>
    string.Join(", ", fields.Select(f => $"\"{f.Key}\": {(f.Value is double d ? Number(d) : f.Value is string s ? s : Convert.ToString(f.Value, CultureInfo.InvariantCulture))}"));

void Report(string mode, string extra)
{
    var peak = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:"));
    var kb = long.Parse(peak.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    var timings = string.Join("", phases.Select(p => $"\"{p.Name}\": {p.Seconds.ToString("0.000", CultureInfo.InvariantCulture)}, "));
    Console.WriteLine($"{{\"tool\": \"lathe\", \"mode\": \"{mode}\", {timings}{extra}, \"peak_rss_gib\": {(kb / 1048576.0).ToString("0.00", CultureInfo.InvariantCulture)}, \"gc\": \"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, {GC.GetTotalPauseDuration().TotalSeconds:0.000} s paused\"}}");
}

/// <summary>Progress reported on the calling thread, so each stage is timed where it starts.</summary>
internal sealed class SynchronousProgress(Action<string> report) : IProgress<string>
{
    public void Report(string value) => report(value);
}

/// <summary>Times the training loop from the end of the warm-up batches to the end of each epoch's last batch, so
/// the validation pass after the epoch is not counted; in wall time and in the process's CPU time (every thread,
/// the runtime's included), which another program's load on the machine disturbs far less.</summary>
internal sealed class BatchClock(int warmup, int batchSize, int rows) : ITrainerCallback
{
    private readonly Stopwatch _watch = new();
    private TimeSpan _last, _cpuStart, _cpuLast;
    private int _lastBatch;

    public List<double> PerEpoch { get; } = [];
    public List<double> PerCpuSecond { get; } = [];
    public double LastMetric { get; private set; }
    /// <summary>The best epoch's rate: the one least disturbed by other work on the machine.</summary>
    public double SamplesPerSecond => PerEpoch.Count == 0 ? 0 : PerEpoch.Max();
    public double SamplesPerCpuSecond => PerCpuSecond.Count == 0 ? 0 : PerCpuSecond.Max();

    public void OnBatchEnd(TrainerState state)
    {
        if (state.Batch == warmup) (_cpuStart, _cpuLast) = (Environment.CpuUsage.TotalTime, TimeSpan.Zero);
        if (state.Batch == warmup) _watch.Restart();
        else if (state.Batch > warmup) _cpuLast = Environment.CpuUsage.TotalTime;
        (_last, _lastBatch) = (_watch.Elapsed, state.Batch);
    }

    public void OnEpochEnd(TrainerState state)
    {
        var samples = Math.Min(_lastBatch * batchSize, rows) - warmup * batchSize;
        PerEpoch.Add(samples / _last.TotalSeconds);
        PerCpuSecond.Add(samples / (_cpuLast - _cpuStart).TotalSeconds);
        LastMetric = state.History[^1].ValidationMetric;
    }
}
