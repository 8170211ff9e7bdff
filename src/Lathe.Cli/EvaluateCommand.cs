using System.CommandLine;
using System.Text.Json;
using Lathe.Bundles;
using Lathe.Data.Cleaning;
using Lathe.Data.Sources;
using Lathe.Evaluation;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe evaluate MODEL --data FILE [--out DIR] [--threads N]</c>: scores a bundle on labelled data.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The model bundle (model.lathe)." };
        var data = new Option<string>("--data") { Description = "Labelled data in the training data's layout.", Required = true };
        var labels = new Option<string?>("--labels") { Description = "IDX only: the labels file that goes with the images." };
        var output = new Option<string?>("--out") { Description = "Folder for metrics.json and report.html; default: an 'evaluation' folder beside the model." };
        var threads = Verb.ThreadsOption();
        var command = new Command("evaluate", "Score a trained model on labelled data; writes metrics.json and report.html.") { model, data, labels, output, threads };
        var layout = new Verb.LayoutOptions(fromModel: true);
        foreach (var option in layout.Options) command.Options.Add(option);
        command.SetAction((result, token) => Verb.Run(_ =>
        {
            Verb.UseThreads(result, threads);
            var bundlePath = result.GetValue(model)!;
            var bundle = Bundle.Load(bundlePath);
            var table = Quarantine.RequireNone(DataSource.Open(result.GetValue(data)!, labels: result.GetValue(labels), layout: layout.Read(result, bundle.TrainingLayout)).Read());
            var directory = result.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(bundlePath))!, "evaluation");
            var report = Path.Combine(directory, EvaluationReport.FileName);
            var evaluation = Evaluator.Evaluate(bundle, table, report, bundlePath);
            var path = Path.Combine(directory, "metrics.json");
            AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(evaluation, BundleJson.Options));
            Verb.WriteMetrics($"'{evaluation.Target}' on {evaluation.Rows} rows", [("data", evaluation.Test)], evaluation.Metric);
            Verb.Out.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/] and [bold]{Markup.Escape(report)}[/].");
            return 0;
        }, token));
        return command;
    }
}
