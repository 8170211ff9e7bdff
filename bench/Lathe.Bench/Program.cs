using System.Diagnostics;
using System.Globalization;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;

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
        writer.WriteLine(string.Join(",", table.ColumnNames));
        for (var row = 0; row < table.RowCount; row++) writer.WriteLine(table.RowText(row));
        Console.WriteLine($"wrote {table.RowCount:N0} rows to {output}");
        break;
    }
    default:
        Console.Error.WriteLine("usage: Lathe.Bench prepare CONFIG | ingest FILE | to-csv FILE OUT.csv");
        return 2;
}
return 0;

void Report(string mode, string extra)
{
    var peak = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:"));
    var kb = long.Parse(peak.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    var timings = string.Join(", ", phases.Select(p => $"\"{p.Name}\": {p.Seconds.ToString("0.000", CultureInfo.InvariantCulture)}"));
    Console.WriteLine($"{{\"tool\": \"lathe\", \"mode\": \"{mode}\", {timings}, {extra}, \"peak_rss_gib\": {(kb / 1048576.0).ToString("0.00", CultureInfo.InvariantCulture)}, \"gc\": \"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, {GC.GetTotalPauseDuration().TotalSeconds:0.000} s paused\"}}");
}

/// <summary>Progress reported on the calling thread, so each stage is timed where it starts.</summary>
internal sealed class SynchronousProgress(Action<string> report) : IProgress<string>
{
    public void Report(string value) => report(value);
}
