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
        var badRows = new Option<string?>("--bad-rows")
        {
            Description = "Instead of stopping at a row that cannot be scored (a line with a field too many, 'abc' in a number column, a class the model was not trained on), list each such row in this CSV file (line, reason, raw) and score the others.",
        };
        var query = Verb.QueryOption(fromModel: true);
        var command = new Command("evaluate", "Score a trained model on labelled data; writes metrics.json and report.html.") { model, data, labels, output, badRows, threads, query };
        var layout = new Verb.LayoutOptions(fromModel: true);
        foreach (var option in layout.Options) command.Options.Add(option);
        command.SetAction((result, token) => Verb.Run(_ =>
        {
            Verb.UseThreads(result, threads);
            var bundlePath = result.GetValue(model)!;
            var bundle = Bundle.Load(bundlePath);
            var read = DataSource.Open(result.GetValue(data)!, labels: result.GetValue(labels), query: Verb.Query(result, query, result.GetValue(data)!, bundle.TrainingQuery),
                layout: layout.Read(result, bundle.TrainingLayout, result.GetValue(data))).Read();
            var badPath = result.GetValue(badRows);
            var directory = result.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(bundlePath))!, "evaluation");
            var report = Path.Combine(directory, EvaluationReport.FileName);
            var path = Path.Combine(directory, "metrics.json");
            if (badPath is not null && new[] { path, report }.Select(Path.GetFullPath).Contains(Path.GetFullPath(badPath)))
                throw new LatheException($"--bad-rows {badPath} is one of the evaluation's own files — name another file for the rows set aside");
            EvaluationResult? evaluation = null;
            QuarantinedRow? first = null;
            if (badPath is null) evaluation = Evaluator.Evaluate(bundle, Quarantine.RequireNone(read), report, bundlePath);
            // The list of rows set aside is written whole, and only with an evaluation.
            else AtomicFile.Write(badPath, stream =>
            {
                using var aside = new QuarantineWriter(stream);
                evaluation = Evaluator.Evaluate(bundle, read, report, bundlePath, aside);
                first = aside.First;
            });
            AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(evaluation!, BundleJson.Options));
            Verb.WriteMetrics($"'{evaluation!.Target}' on {evaluation.Rows} rows", [("data", evaluation.Test)], evaluation.Metric);
            Verb.Out.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/] and [bold]{Markup.Escape(report)}[/].");
            if (first is not null)
                Verb.Out.MarkupLine($"[yellow]{evaluation.SetAside:N0} row(s) could not be scored[/], listed in [bold]{Markup.Escape(badPath!)}[/]; the first, {Markup.Escape(read.Source)} line {first.Line}: {Markup.Escape(first.Reason)}.");
            else if (badPath is not null)
                Verb.Out.MarkupLine($"Every row was scored; [bold]{Markup.Escape(badPath)}[/] lists none.");
            return 0;
        }, token));
        return command;
    }
}
