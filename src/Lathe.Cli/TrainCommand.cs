using System.CommandLine;
using Lathe.Config;
using Lathe.Training;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe train CONFIG [--out DIR]</c>: trains, evaluates and writes the bundle and metrics.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var configPath = new Argument<string>("config") { Description = "The YAML config (write one with `lathe init`)." };
        var output = new Option<string?>("--out") { Description = "Output folder; default runs/<config name>/<time>." };
        var command = new Command("train", "Train a model from a config; writes model.lathe, metrics.json and config.resolved.yaml.")
        {
            configPath, output,
        };
        command.SetAction((result, token) => Verb.Run(cancel =>
        {
            var file = result.GetValue(configPath)!;
            var config = ConfigReader.Load(file);
            var directory = result.GetValue(output)
                            ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file), DateTime.Now.ToString("yyyyMMdd-HHmmss"));
            TrainResult? run = null;
            Verb.Out.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask("starting", maxValue: 1);
                    var stage = new SynchronousProgress<string>(text => task.Description = Markup.Escape(text));
                    var progress = new SynchronousProgress<TrainingProgress>(p =>
                    {
                        task.MaxValue = p.Epochs * p.Batches;
                        task.Value = (p.Epoch - 1) * p.Batches + p.Batch;
                        var metric = p.ValidationMetric is { } m ? $" val {p.Metric} {Verb.Format(m)}" : "";
                        task.Description = $"epoch {p.Epoch}/{p.Epochs} loss {Verb.Format(p.Loss)}{metric}";
                    });
                    run = TrainingRun.Run(config, directory, progress, stage, cancel);
                    task.Value = task.MaxValue;
                    task.Description = "done";
                });

            var metrics = run!.Metrics;
            Verb.WriteMetrics($"{ConfigNames.Of(metrics.Task)} of '{metrics.Target}' — best epoch {metrics.BestEpoch} of {metrics.Epochs}, {metrics.TrainSeconds:0.0} s",
                [("train", metrics.Train), ("validation", metrics.Validation), ("test", metrics.Test)], metrics.Metric);
            if (metrics.Rows.Quarantined > 0)
                Verb.Out.MarkupLine($"[yellow]{metrics.Rows.Quarantined} malformed row(s) set aside[/]: each is listed with its line and reason in [bold]{Markup.Escape(Path.Combine(run.OutputDirectory, Lathe.Data.Cleaning.Quarantine.FileName))}[/].");
            if (metrics.Rows.DroppedMissingTarget > 0)
                Verb.Out.MarkupLine($"{metrics.Rows.DroppedMissingTarget} row(s) without a value for '{Markup.Escape(metrics.Target)}' were left out.");
            Verb.Out.MarkupLine($"Wrote [bold]{Markup.Escape(run.BundlePath)}[/], metrics.json and config.resolved.yaml.");
            return 0;
        }, token));
        return command;
    }

    /// <summary>Reports on the calling thread; <see cref="Progress{T}"/> would post to the thread pool and lag behind.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
