using System.CommandLine;
using Lathe.Config;
using Lathe.Data.Profiling;
using Lathe.Data.Sources;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary><c>lathe profile FILE|CONFIG [--target COLUMN] [--out report.html]</c>: what is in the data, and what to fix.</summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var input = new Argument<string?>("input") { Description = "A data file, or a config (its data, target and exclusions are used).", Arity = ArgumentArity.ZeroOrOne };
        // --data as init, predict and evaluate take it, for a user who just typed `lathe init --data FILE`.
        var data = new Option<string?>("--data") { Description = "The data file, as init takes it (instead of <input>)." };
        var target = new Option<string?>("--target") { Description = "The column to predict: adds its balance and each column's association with it." };
        var labels = new Option<string?>("--labels") { Description = "IDX only: the labels file that goes with the images." };
        var query = Verb.QueryOption();
        var output = new Option<string?>("--out") { Description = "The HTML report to write; default <data file name>.profile.html." };
        var command = new Command("profile", "Profile the data: types, missing values, distributions, duplicates, target balance and association, with warnings and fixes; writes an HTML report.")
        {
            input, data, target, labels, query, output,
        };
        var layout = new Verb.LayoutOptions();
        foreach (var option in layout.Options) command.Options.Add(option);
        command.SetAction((result, token) => Verb.Run(cancel =>
        {
            var path = (result.GetValue(input), result.GetValue(data)) switch
            {
                ({ } file, null) => file,
                (null, { } file) => file,
                (null, null) => throw new LatheException("profile: give the data file (or a config), as `lathe profile FILE` or `--data FILE`"),
                var (given, other) => throw new LatheException($"profile: two inputs given, '{given}' and --data '{other}'; give one"),
            };
            var isConfig = path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
            var config = isConfig ? ConfigReader.Load(path) : null;
            var source = config is not null ? DataSource.Open(config.Data) : DataSource.Open(path, labels: result.GetValue(labels), query: Verb.Query(result, query, path), layout: layout.Read(result));
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(source.Name));
            DataProfile? profile = null;
            Verb.Out.Status().Start($"profiling {Markup.Escape(name)}", context =>
            {
                // One pass over the file in batches, so a file larger than memory can be profiled.
                var progress = new Progress<long>(rows => context.Status($"profiling {Markup.Escape(name)}: {rows:N0} rows read"));
                profile = DataProfiler.Profile(source, result.GetValue(target) ?? config?.TargetColumns[0], config?.Data.Exclude, progress, cancel);
            });

            var report = result.GetValue(output) ?? name + ".profile.html";
            ProfileReport.Render(profile!).Save(report);

            var summary = new Table().AddColumns("column", "type", "missing", "distinct", "association", "use");
            foreach (var c in profile!.Columns)
                summary.AddRow(Markup.Escape(c.Name), c.Type.ToString().ToLowerInvariant(), c.Missing == 0 ? "" : Lathe.Reporting.HtmlReport.Percent(c.MissingShare),
                    c.DistinctText(), c.Association is { } a ? $"{a:0.00}" : "", Markup.Escape(c.Use));
            Verb.Out.Write(summary);
            Verb.Out.MarkupLine($"{profile.Rows:N0} rows, {profile.DuplicateRows:N0} duplicate rows.");
            foreach (var warning in profile.Warnings)
                Verb.Out.MarkupLine($"[yellow]![/] {Markup.Escape(warning.Problem)} → [bold]{Markup.Escape(warning.Fix)}[/]");
            Verb.Out.MarkupLine($"Wrote [bold]{Markup.Escape(report)}[/].");
            return 0;
        }, token));
        return command;
    }
}
