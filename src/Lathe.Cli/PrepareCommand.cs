using System.CommandLine;
using Lathe.Config;
using Lathe.Data.Pipeline;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe prepare CONFIG [--out DIR]</c>: collection → cleaning → transformation → split, written
/// out so a user sees exactly what the model will see.</summary>
internal static class PrepareCommand
{
    public static Command Create()
    {
        var configPath = new Argument<string>("config") { Description = "The YAML config." };
        var output = new Option<string?>("--out") { Description = "Output folder; default runs/<config name>/prepare-<time>." };
        var command = new Command("prepare", "Clean, transform and split the data as training would; writes train/validation/test.parquet, quarantine.csv and a preparation report.")
        {
            configPath, output,
        };
        command.SetAction((result, token) => Verb.Run(cancel =>
        {
            var file = result.GetValue(configPath)!;
            var config = ConfigReader.Load(file);
            var directory = result.GetValue(output)
                            ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file), "prepare-" + DateTime.Now.ToString("yyyyMMdd-HHmmss"));
            PreparedData? prepared = null;
            Verb.Out.Status().Start("preparing", context =>
            {
                prepared = Preparation.Run(config, directory, new Progress<string>(text => context.Status(Markup.Escape(text))), cancel);
                context.Status("writing the prepared parts");
                PreparedOutput.Write(prepared, directory, cancel);
            });
            var rows = prepared!.Rows;
            var table = new Table().AddColumns("part", "rows").AddRow("train", $"{rows.Train:N0}").AddRow("validation", $"{rows.Validation:N0}").AddRow("test", $"{rows.Test:N0}");
            Verb.Out.Write(table);
            foreach (var note in prepared.ReadNotes) Verb.Out.MarkupLine($"[yellow]note:[/] {Markup.Escape(note.ToString())}.");
            if (rows.Quarantined > 0) Verb.Out.MarkupLine($"[yellow]{rows.Quarantined} malformed row(s)[/] set aside in quarantine.csv.");
            if (rows.DuplicatesDropped > 0) Verb.Out.MarkupLine($"{rows.DuplicatesDropped} exact duplicate row(s) dropped.");
            Verb.Out.MarkupLine($"{prepared.Pipeline.FeatureNames.Count} model input column(s). Wrote train/validation/test.parquet, {PreparedOutput.JsonFile} and {PreparedOutput.ReportFile} to [bold]{Markup.Escape(directory)}[/].");
            return 0;
        }, token));
        return command;
    }
}
