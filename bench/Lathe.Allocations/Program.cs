using Lathe;
using Lathe.Bundles;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Pipeline;
using Lathe.Serving;

// What `lathe serve` allocates on the managed heap for one request, stage by stage, as its predict endpoint runs them
// (parse, check, the fitted steps one at a time, the forward pass, the answer); Kestrel's own share is not included.
// Each stage runs 2,000 times to warm up, then 20,000 times counted with GC.GetAllocatedBytesForCurrentThread, then
// 20,000 times timed (microseconds a call, on the calling thread; one engine thread, as the server runs a lone request).
// Every gen-0 collection of the server stops it for a few hundred microseconds on the project's machine, so bytes a
// request are collections a second (docs/serving.md, "Allocations").
//
//   dotnet run -c Release --project bench/Lathe.Allocations -- BUNDLE BODY_JSON
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Lathe.Allocations BUNDLE BODY_JSON   (a bundle from lathe train, one request body as lathe serve takes it)");
    return 2;
}
var model = ServedModel.Load(args[0], threads: 1);
var body = File.ReadAllBytes(args[1]);
var options = new ServeOptions { ModelPath = args[0] };
long total = 0;
double totalMicros = 0;
Console.WriteLine($"{"stage",-36} {"bytes",8} {"µs",9}");

var request = Measure("parse the JSON body", () => RequestRecords.FromJson(body, options.MaxRecords));
var table = Measure("check fields, build the table", () => RecordTable.Build(request, model, options));
var step = Measure("  type coercion", () => TypeCoercion.Apply(table, model.Pipeline.Schema), inline: true);
foreach (var fitted in model.Pipeline.Steps)
{
    var input = step;
    step = Measure($"  {fitted.GetType().Name}", () => fitted.Transform(input), inline: true);
}
var features = Measure("  pack the model's input", () => model.Pipeline.Pack(step), inline: true);
var outputs = Measure("forward pass", () => model.Outputs(features));
var predictions = Measure("decode", () => Predictor.Decode(outputs, model.Target));
var answers = Measure("answers", () => Answers.For(predictions));
Measure("serialize the answer", () => Answers.Serialize(model.Version, answers, request.Single));
Console.WriteLine($"{"total",-36} {total,8:N0} {totalMicros,9:F1}   (bytes and microseconds a request)");

// The record path, which one plain JSON record takes where the model has one (docs/serving.md, "The record path").
if (RecordRow.For(model, options, new ServeMetrics(), out var why) is not { } row)
{
    Console.WriteLine($"record path: none ({why})");
    return 0;
}
(total, totalMicros) = (0, 0);
Console.WriteLine("record path:");
var rowFeatures = Measure("  read the record into the row", () => row.TryRead(body) ?? throw new InvalidOperationException("the record path declined the body"));
var rowOutputs = Measure("  forward pass", () => model.Outputs(rowFeatures));
Measure("  answer", () => row.Answer(model.Version, rowOutputs).Length);
Console.WriteLine($"{"  total",-36} {total,8:N0} {totalMicros,9:F1}");
return 0;

// The stage's bytes a call; the fitted steps run as the server runs them, on the request's own thread.
T Measure<T>(string name, Func<T> stage, bool inline = false)
{
    using var scope = inline ? Parallelism.Inline() : null;
    var result = stage();
    for (var i = 0; i < 2_000; i++) stage();
    const int calls = 20_000;
    var before = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < calls; i++) stage();
    var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
    var clock = System.Diagnostics.Stopwatch.StartNew();
    for (var i = 0; i < calls; i++) stage();
    var micros = clock.Elapsed.TotalMicroseconds / calls;
    total += bytes;
    totalMicros += micros;
    Console.WriteLine($"{name,-36} {bytes,8:N0} {micros,9:F1}");
    return result;
}
