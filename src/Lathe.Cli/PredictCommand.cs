using System.CommandLine;
using Lathe.Bundles;
using Lathe.Data.Sources;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe predict MODEL --data FILE --out FILE [--bad-rows FILE] [--batch-rows N] [--threads N]</c>: one row of
/// predictions per input row, as CSV or Parquet, the input streamed batch by batch so that its size is not bounded by
/// memory. A row that cannot be read or typed stops the run, naming it; with <c>--bad-rows</c> it is listed there
/// instead and its output row left empty.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The model bundle (model.lathe)." };
        var data = new Option<string>("--data") { Description = "Rows to predict, in the training data's layout (the target column may be absent).", Required = true };
        var output = new Option<string>("--out") { Description = "The file to write: .csv, or .parquet (one row group per batch).", Required = true };
        var batchRows = new Option<int>("--batch-rows")
        {
            Description = $"Rows read and predicted at a time; memory grows with it (default {BatchPrediction.DefaultBatchRows:N0}).",
            DefaultValueFactory = _ => BatchPrediction.DefaultBatchRows,
        };
        var badRows = new Option<string?>("--bad-rows")
        {
            Description = "Instead of stopping at a row that cannot be read or typed ('abc' in a number column, a line with a field too many), list each such row in this CSV file (line, reason, raw) and leave its output row empty.",
        };
        var threads = Verb.ThreadsOption();
        var query = Verb.QueryOption(fromModel: true);
        var command = new Command("predict", "Predict for every row of a file, streamed batch by batch; writes the prediction and, for classification, a probability per class.")
        {
            model, data, output, badRows, batchRows, threads, query,
        };
        var layout = new Verb.LayoutOptions(fromModel: true);
        foreach (var option in layout.Options) command.Options.Add(option);
        command.SetAction((result, token) => Verb.Run(cancel =>
        {
            var path = result.GetValue(output)!;
            var format = BatchPrediction.FormatOf(path);
            var rows = result.GetValue(batchRows);
            if (rows < 1) throw new LatheException($"--batch-rows {rows}: a batch needs at least 1 row");
            Verb.UseThreads(result, threads);
            var bundle = Bundle.Load(result.GetValue(model)!);
            var source = DataSource.Open(result.GetValue(data)!, query: Verb.Query(result, query, result.GetValue(data)!, bundle.TrainingQuery), layout: layout.Read(result, bundle.TrainingLayout, result.GetValue(data)));
            var total = source.CountRows(cancel);
            using var predictor = bundle.CreatePredictor();
            var badPath = result.GetValue(badRows);
            if (badPath is not null && Path.GetFullPath(badPath) == Path.GetFullPath(path))
                throw new LatheException($"--bad-rows {badPath} is the --out file too — name another file for the rows set aside");
            long predicted = 0, setAside = 0;
            Data.Cleaning.QuarantinedRow? first = null;
            var columns = total is null
                ? new ProgressColumn[] { new TaskDescriptionColumn { Alignment = Justify.Left }, new SpinnerColumn(), new ElapsedTimeColumn() }
                : [new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()];
            // The output appears whole or not at all: a bad row half-way leaves no file of half the predictions.
            void Run(Data.Cleaning.QuarantineWriter? aside) => AtomicFile.Write(path, stream => Verb.Out.Progress().Columns(columns).Start(context =>
            {
                var of = total is { } n ? $" of {n:N0}" : "";
                var task = context.AddTask($"predicting: 0{of} rows", maxValue: Math.Max(1, total ?? 1));
                task.IsIndeterminate = total is null;
                var progress = new SynchronousProgress<long>(done =>
                {
                    task.Value = done;
                    task.Description = $"predicting: {done:N0}{of} rows";
                });
                using (var writer = BatchPrediction.CreateWriter(format, stream, predictor, bundle.Manifest.Target, absentRows: aside is not null))
                    predicted = BatchPrediction.Predict(predictor, source, writer, rows, progress, cancel, aside);
                (setAside, first) = (aside?.Count ?? 0, aside?.First);
                task.Value = task.MaxValue;
                task.Description = $"predicted {predicted:N0} rows";
            }));
            if (badPath is null) Run(null);
            // The list of rows set aside is written whole too, and only with the predictions.
            else AtomicFile.Write(badPath, badStream =>
            {
                using var aside = new Data.Cleaning.QuarantineWriter(badStream);
                Run(aside);
            });
            Verb.Out.MarkupLine($"Predicted {predicted:N0} rows; wrote [bold]{Markup.Escape(path)}[/].");
            if (first is not null)
                Verb.Out.MarkupLine($"[yellow]{setAside:N0} row(s) could not be predicted[/] (their output rows are empty), listed in [bold]{Markup.Escape(badPath!)}[/]; the first, {Markup.Escape(source.Name)} line {first.Line}: {Markup.Escape(first.Reason)}.");
            else if (badPath is not null)
                Verb.Out.MarkupLine($"Every row was predicted; [bold]{Markup.Escape(badPath)}[/] lists none.");
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
