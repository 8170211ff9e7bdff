using System.CommandLine;
using Lathe.Config;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe init --data FILE --target COLUMN [--out config.yaml]</c>: writes a complete, commented config.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The data file: CSV or TSV (also .txt, .dat, .data), JSON or JSON Lines records, Parquet, Arrow, an Excel workbook (.xlsx, .xls), a SQLite database, gzipped IDX images, or a folder of images by class; .gz and .zip are read as what they hold.", Required = true };
        var target = new Option<string>("--target") { Description = "The column to predict.", Required = true };
        var labels = new Option<string?>("--labels") { Description = "IDX only: the labels file that goes with the images." };
        var query = Verb.QueryOption();
        var output = new Option<string>("--out") { Description = "Where to write the config.", DefaultValueFactory = _ => "config.yaml" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing config." };
        var command = new Command("init", "Look at the data, decide the task, and write a config that `lathe train` accepts as is.")
        {
            data, target, labels, query, output, force,
        };
        var layout = new Verb.LayoutOptions();
        foreach (var option in layout.Options) command.Options.Add(option);
        command.SetAction((result, token) => Verb.Run(_ =>
        {
            var path = result.GetValue(output)!;
            if (File.Exists(path) && !result.GetValue(force))
                throw new LatheException($"'{path}' already exists — choose another --out, or add --force to overwrite it");
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            var setup = InitialConfig.For(result.GetValue(data)!, result.GetValue(target)!, directory, result.GetValue(labels), layout.Read(result), Verb.Query(result, query, result.GetValue(data)!));
            var (config, schema, rows) = setup;
            var header = $"Lathe config for '{config.Target}' in {Path.GetFileName(config.Data.Path)}, written by `lathe init`.\n"
                         + "Every key is shown with its default; edit any of them, then run: lathe train " + path;
            AtomicFile.WriteAllText(path, ConfigWriter.Write(config, header));

            var table = new Table().AddColumns("column", "type", "use");
            foreach (var column in schema.Columns)
                table.AddRow(Markup.Escape(column.Name), column.Type.ToString().ToLowerInvariant(), Markup.Escape(column.Unused ?? "feature"));
            Verb.Out.Write(table);
            Verb.Out.MarkupLine($"{rows} rows; task [bold]{ConfigNames.Of(config.Task)}[/], metric [bold]{ConfigNames.Of(config.Metric)}[/], model [bold]{ConfigNames.Of(config.Model.Kind)}[/].");
            if (config.Prepare.Encode == EncodeKind.Target)
                Verb.Out.MarkupLine($"Categories are target-encoded (prepare.encode: target): a column has at least {InitialConfig.ManyCategoriesAt} categories with fewer than {InitialConfig.RowsPerCategory} rows each, too few to fit one-hot columns on.");
            if (config.Training.LabelSmoothing > 0)
                Verb.Out.MarkupLine($"Classes are learnt with label smoothing {config.Training.LabelSmoothing} (training.label_smoothing): more accurate on the tables Lathe was measured on, with less confident probabilities; 0 turns it off.");
            if (config.Model.Ensemble > 1)
                Verb.Out.MarkupLine($"The table network is an ensemble of {config.Model.Ensemble} members sharing their hidden weights (model.ensemble): more accurate on the tables Lathe was measured on, at about {config.Model.Ensemble} times a network's arithmetic per row; 0 turns it off.");
            if (config.Prepare.ValueCategories > 0)
                Verb.Out.MarkupLine($"A number whose own values predict the target better than its neighbours' (an engine's displacement, a code) also enters as categories of its {config.Prepare.ValueCategories} most frequent values (prepare.value_categories), tested on the training rows; 0 turns it off.");
            foreach (var warning in setup.Warnings) Verb.Out.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}.");
            Verb.Out.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]. Next: [bold]lathe train {Markup.Escape(path)}[/]");
            return 0;
        }, token));
        return command;
    }
}
