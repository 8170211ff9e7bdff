using System.CommandLine;
using Lathe.Config;
using Spectre.Console;

namespace Lathe.Cli;

/// <summary>How every verb ends: 0 on success; 1 with one clear message for a user error; 2 with a short
/// message and a log holding the stack trace for a bug.</summary>
internal static class Verb
{
    public static async Task<int> Run(Func<CancellationToken, int> body, CancellationToken cancellationToken)
    {
        try
        {
            return await Task.Run(() => body(cancellationToken), cancellationToken);
        }
        catch (LatheException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled.");
            return 130;
        }
        catch (Exception e)
        {
            var log = Path.Combine(Path.GetTempPath(), $"lathe-error-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log");
            await File.WriteAllTextAsync(log, e.ToString());
            await Console.Error.WriteLineAsync($"internal error: {e.GetType().Name}: {e.Message}\nThis is a bug in Lathe; the details are in {log}");
            return 2;
        }
    }

    public static IAnsiConsole Out { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });

    /// <summary><c>--threads</c> of the verbs that run a model over a file (predict, evaluate): engine threads for its
    /// forward passes, 0 (the default) every core.</summary>
    public static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "Engine threads for the forward passes; 0 (the default) uses every core.",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>Applies <see cref="ThreadsOption"/>'s value to the engine, refusing a negative count.</summary>
    public static void UseThreads(ParseResult result, Option<int> option)
    {
        var threads = result.GetValue(option);
        if (threads < 0) throw new LatheException($"--threads {threads}: must be 0 (every core) or more");
        Engine.TorchRuntime.UseThreads(threads);
    }

    public static string Format(double value) => value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);

    public static void WriteMetrics(string title, IReadOnlyList<(string Part, Evaluation.MetricSet Metrics)> parts, MetricKind primary)
    {
        var names = parts.SelectMany(p => p.Metrics.Keys).Distinct().OrderBy(n => n == ConfigNames.Of(primary) ? 0 : 1).ToArray();
        var table = new Table().Title(title);
        // Several targets' metrics (rmse[NAME], …) read down the page, one row each, rather than squeezed across it.
        if (names.Any(n => n.Contains('[')))
        {
            table.AddColumn("metric");
            foreach (var (part, _) in parts) table.AddColumn(new TableColumn(part).RightAligned());
            foreach (var name in names)
                table.AddRow([Markup.Escape(name), .. parts.Select(p => p.Metrics.TryGetValue(name, out var v) ? Format(v) : "")]);
            Out.Write(table);
            return;
        }
        table.AddColumn("part");
        foreach (var name in names) table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        foreach (var (part, metrics) in parts)
            table.AddRow([part, .. names.Select(n => metrics.TryGetValue(n, out var v) ? Format(v) : "")]);
        Out.Write(table);
    }
}
