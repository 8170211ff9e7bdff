using System.CommandLine;
using Lathe.Config;
using Lathe.Training;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe train CONFIG [--out DIR | --resume DIR]</c>: trains, evaluates and writes the bundle and metrics;
/// <c>--resume</c> goes on from DIR's last checkpoint. Ctrl+C ends the batch under way, writes a checkpoint and exits 130.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var configPath = new Argument<string>("config") { Description = "The YAML config (write one with `lathe init`)." };
        var output = new Option<string?>("--out") { Description = "Output folder; default runs/<config name>/<time>." };
        var resume = new Option<string?>("--resume") { Description = "Go on from the last checkpoint of this run's folder (same config and data), writing there." };
        var command = new Command("train", "Train a model from a config; writes model.lathe, metrics.json, report.html, config.resolved.yaml, steps.jsonl (each step's loss), cv.json (with training.cv) and checkpoints/ (--resume goes on from them).")
        {
            configPath, output, resume,
        };
        command.SetAction((result, token) => Verb.Run(cancel =>
        {
            var file = result.GetValue(configPath)!;
            var config = ConfigReader.Load(file);
            var resumeFrom = result.GetValue(resume);
            if (resumeFrom is not null && result.GetValue(output) is { } other && Path.GetFullPath(other) != Path.GetFullPath(resumeFrom))
                throw new LatheException($"--resume {resumeFrom} writes into that folder; leave out --out {other}");
            var directory = resumeFrom ?? result.GetValue(output)
                            ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file), DateTime.Now.ToString("yyyyMMdd-HHmmss"));
            var lastCheckpoint = Path.Combine(directory, Checkpoint.Folder, Checkpoint.LastFile);
            var checkpointBefore = File.Exists(lastCheckpoint) ? File.GetLastWriteTimeUtc(lastCheckpoint) : DateTime.MinValue;
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
                    try
                    {
                        run = TrainingRun.Run(config, directory, progress, stage, cancel, resume: resumeFrom is not null, FaultInjection.FromEnvironment());
                    }
                    // Training stopped early but left a checkpoint: say how to go on (a diverged run would only diverge again).
                    catch (Exception e) when (e is not TrainingDivergedException && File.Exists(lastCheckpoint) && File.GetLastWriteTimeUtc(lastCheckpoint) > checkpointBefore)
                    {
                        Console.Error.WriteLine($"A checkpoint is in {lastCheckpoint}; continue with: lathe train {file} --resume {directory}");
                        throw;
                    }
                    task.Value = task.MaxValue;
                    task.Description = "done";
                });

            var metrics = run!.Metrics;
            Verb.WriteMetrics($"{ConfigNames.Of(metrics.Task)} of '{metrics.Target}' — best epoch {metrics.BestEpoch} of {metrics.Epochs}, {metrics.TrainSeconds:0.0} s",
                [("train", metrics.Train), ("validation", metrics.Validation), ("test", metrics.Test)], metrics.Metric);
            if (metrics.CrossValidation is { } cv)
            {
                var names = cv.Summary.Keys.OrderBy(n => n == ConfigNames.Of(metrics.Metric) ? 0 : 1).ToArray();
                var table = new Table().Title($"cross-validation, {cv.Folds} folds (mean ± std over the folds; {Lathe.Training.CrossValidation.FileName})").AddColumn("metric").AddColumn(new TableColumn("mean ± std").RightAligned());
                foreach (var name in names) table.AddRow(Markup.Escape(name), $"{Verb.Format(cv.Summary[name].Mean)} ± {Verb.Format(cv.Summary[name].Std)}");
                Verb.Out.Write(table);
            }
            foreach (var note in metrics.Reading) Verb.Out.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}.");
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
