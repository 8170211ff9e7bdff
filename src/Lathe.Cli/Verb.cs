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

    /// <summary>The options of a verb that reads a data file (profile, init, predict, evaluate) that say how a CSV or TSV
    /// file is laid out, as data.delimiter, data.skip_rows, data.header, data.decimal and data.dates do in a config; each left out is
    /// found from the file.</summary>
    /// <param name="fromModel">A verb that runs a model: an option left out takes what the model's training config set.</param>
    public sealed class LayoutOptions(bool fromModel = false)
    {
        private readonly Option<string> _delimiter = new("--delimiter")
        {
            Description = "CSV/TSV: what splits the fields: auto (found from the file), whitespace (runs of spaces and tabs), tab, or one character such as ;."
                          + (fromModel ? " Left out: the model's training config's data.delimiter." : ""),
            DefaultValueFactory = _ => Data.Sources.CsvLayout.Auto,
        };
        private readonly Option<string> _skipRows = new("--skip-rows")
        {
            Description = "CSV/TSV: lines above the header to skip; auto skips a preamble it recognises and says so."
                          + (fromModel ? " Left out: the model's training config's data.skip_rows." : ""),
            DefaultValueFactory = _ => "auto",
        };
        private readonly Option<Data.Sources.HeaderRow> _header = new("--header")
        {
            Description = "CSV/TSV: whether the first line read names the columns: auto (unless every field is a number, or it reads as one more row; lines of units under it are skipped), true (and no lines of units) or false."
                          + (fromModel ? " Left out: the model's training config's data.header." : ""),
            DefaultValueFactory = _ => Data.Sources.HeaderRow.Auto,
        };
        private readonly Option<Data.Sources.DecimalMark> _decimal = new("--decimal")
        {
            Description = "CSV/TSV: what marks a number's decimals: auto, point, or comma (1.234,5 is 1234.5)."
                          + (fromModel ? " Left out: the model's training config's data.decimal, or comma where its training file had decimal commas." : ""),
            DefaultValueFactory = _ => Data.Sources.DecimalMark.Auto,
        };

        private readonly Option<Data.Sources.DateOrder> _dates = new("--dates")
        {
            Description = "CSV/TSV: which part of a date written with slashes comes first: auto, month-first (12/31/2024) or day-first (31/12/2024)."
                          + (fromModel ? " Left out: the model's training config's data.dates, or day-first where its training file wrote dates so." : ""),
            DefaultValueFactory = _ => Data.Sources.DateOrder.Auto,
            // month-first, month_first and MonthFirst alike.
            CustomParser = argument =>
            {
                var given = argument.Tokens.Single().Value;
                if (Enum.TryParse<Data.Sources.DateOrder>(given.Replace("-", "").Replace("_", ""), ignoreCase: true, out var order)) return order;
                argument.AddError($"--dates {given}: give auto, month-first or day-first");
                return default;
            },
        };

        private readonly Option<string> _sheet = new("--sheet")
        {
            Description = "Excel workbooks: the sheet to read, by name or number (1 is the first); left out, the first."
                          + (fromModel ? " Left out: the model's training config's data.sheet." : ""),
        };

        public IEnumerable<Option> Options => [_delimiter, _skipRows, _header, _decimal, _dates, _sheet];

        /// <param name="otherwise">What an option left out takes: the training file's layout for a verb that runs a model,
        /// as far as it applies to <paramref name="path"/> (a model trained on a CSV file may be given Parquet or a
        /// workbook to predict).</param>
        public Data.Sources.CsvLayout Read(ParseResult result, Data.Sources.CsvLayout? otherwise = null, string? path = null)
        {
            if (otherwise is null || path is not null && !Data.Sources.DataSource.TakesLayout(path)) otherwise = Data.Sources.CsvLayout.Detect;
            else if (path is not null) otherwise = otherwise.For(Data.Sources.DataSource.Detect(path));
            bool Given(Option option) => result.GetResult(option) is { Implicit: false };
            var skip = result.GetValue(_skipRows)!;
            int? rows = skip == "auto" ? null
                : int.TryParse(skip, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
                : throw new LatheException($"--skip-rows {skip}: give a number of lines, or auto");
            var delimiter = result.GetValue(_delimiter)!;
            if (!Data.Sources.CsvLayout.TryParseDelimiter(delimiter, out _, out var error)) throw new LatheException($"--delimiter: {error}");
            return new Data.Sources.CsvLayout
            {
                Delimiter = Given(_delimiter) ? delimiter : otherwise.Delimiter,
                SkipRows = Given(_skipRows) ? rows : otherwise.SkipRows,
                Header = Given(_header) ? result.GetValue(_header) : otherwise.Header,
                Decimal = Given(_decimal) ? result.GetValue(_decimal) : otherwise.Decimal,
                Dates = Given(_dates) ? result.GetValue(_dates) : otherwise.Dates,
                Sheet = Given(_sheet) ? result.GetValue(_sheet) : otherwise.Sheet,
            };
        }
    }

    public static string Format(double value) => value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>--query, for a SQLite database given as the data file; <paramref name="fromModel"/>: predict and evaluate,
    /// where it defaults to the model's training query.</summary>
    public static Option<string?> QueryOption(bool fromModel = false) => new("--query")
    {
        Description = "SQLite only: the SQL whose result is the table (SELECT … FROM …); left out, "
                      + (fromModel ? "the model's training query, else a database's one table." : "a database's one table is read."),
    };

    /// <summary>The query for <paramref name="path"/>: --query when given (refused for anything but a SQLite database),
    /// else <paramref name="fallback"/> for a database and nothing for another file.</summary>
    public static string? Query(ParseResult result, Option<string?> option, string path, string? fallback = null)
    {
        // A file that is not there, or whose name says no format, is for DataSource.Open to name.
        if (!File.Exists(path)) return result.GetValue(option) ?? fallback;
        bool isDatabase;
        try
        {
            isDatabase = Data.Sources.DataSource.Detect(path) == DataFormat.Sqlite;
        }
        catch (Data.DataException)
        {
            isDatabase = false;
        }
        if (result.GetValue(option) is { } given)
            return isDatabase ? given : throw new LatheException($"--query is for a SQLite database (.db, .sqlite, .sqlite3); '{path}' is not one");
        return isDatabase ? fallback : null;
    }

    public static void WriteMetrics(string title, IReadOnlyList<(string Part, Evaluation.MetricSet Metrics)> parts, MetricKind primary)
    {
        var names = parts.SelectMany(p => p.Metrics.Keys).Distinct().OrderBy(n => n == ConfigNames.Of(primary) ? 0 : 1).ToArray();
        var table = new Table().Title(title);
        // A metric a row when a row of them would not fit across the terminal (a classifier's eleven in 80 columns) or
        // there are several targets' (rmse[NAME], …): read down the page rather than squeezed, names cut, across it.
        var across = parts.Max(p => p.Part.Length) + 4 + names.Sum(n => Math.Max(n.Length, 6) + 3);
        if (names.Any(n => n.Contains('[')) || across > Out.Profile.Width)
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
