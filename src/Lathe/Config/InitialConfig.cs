using Lathe.Data;
using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Config;

/// <summary>Defines the problem from the data: reads it, checks the target, decides the task, the metric
/// and the architecture, and picks training settings that suit the data's kind and size.</summary>
public static class InitialConfig
{
    /// <param name="configDirectory">Where the config will be written; data paths are made relative to it.</param>
    /// <param name="layout">How a CSV/TSV file is laid out, written into the config; null finds it all from the file.</param>
    /// <param name="query">SQLite only: the SQL whose result is the table; null reads a database's one table.</param>
    public static InitialSetup For(string dataPath, string target, string configDirectory, string? labels = null, CsvLayout? layout = null, string? query = null)
    {
        layout ??= CsvLayout.Detect;
        var data = DataSource.Open(dataPath, DataFormat.Auto, labels, query: query, layout: layout).Read();
        if (!data.Contains(target)) throw data.MissingColumn(target, "target column");
        var task = TaskInference.Infer(data[target]);
        // R's row names name rows, one each: nothing a model can learn from, and excluded from the start.
        string[] rowNames = data.Columns.Count > 0 && data.Columns[0].Name == CsvSource.RowNames && target != CsvSource.RowNames
                            && Distinct(data.Columns[0]) == data.RowCount
            ? [CsvSource.RowNames]
            : [];
        // So are columns that number the rows (pandas' index, written as an unnamed first column).
        var numbered = data.Columns.Where(c => c.Name != target && !rowNames.Contains(c.Name) && RowNumbers.Number(c, out _)).Select(c => c.Name).ToArray();
        // And columns with one value in every row: nothing to learn from, and a field every request to the served model
        // would have to send. Not where they are all there is. (A column empty in every row is unused already.)
        var constant = data.Columns.Where(c => c.Name != target && !rowNames.Contains(c.Name) && !numbered.Contains(c.Name) && OneValue(c) is not null).ToArray();
        if (constant.Length == data.Columns.Count(c => c.Name != target) - rowNames.Length - numbered.Length) constant = [];
        string[] excluded = [.. rowNames, .. numbered, .. constant.Select(c => c.Name)];
        var schema = SchemaInference.Infer(data, target, excluded);
        var images = schema.Features.Any(c => c.Type == ColumnType.Image);
        var bins = images || !PiecewiseLinearFits(schema, data.RowCount) ? 0 : TableBins;
        var config = new PipelineConfig
        {
            Task = task,
            Target = target,
            Metric = MetricKinds.DefaultFor(task),
            Data = new DataConfig
            {
                Path = Relative(dataPath, configDirectory),
                Labels = labels is null ? null : Relative(labels, configDirectory),
                Query = query,
                Exclude = excluded,
                Layout = layout,
                Split = new SplitConfig { Stratify = task == TaskKind.Classification },
            },
            Prepare = new PrepareConfig
            {
                PiecewiseLinearBins = bins,
                ValueCategories = bins > 0 ? TableValueCategories : 0,
                Encode = images || ManyCategories(data, schema) is null ? EncodeKind.OneHot : EncodeKind.Target,
            },
            Model = new ModelConfig
            {
                Kind = images ? ModelKind.Cnn : ModelKind.Mlp,
                Ensemble = images || data.RowCount >= TableEnsembleRows ? 0 : TableEnsemble,
                NumberEmbedding = bins > 0 && task != TaskKind.Regression ? TableNumberEmbedding : 0,
            },
            Training = images
                ? new TrainingConfig { Epochs = 10, BatchSize = 128, Patience = 3 }
                : new TrainingConfig
                {
                    Epochs = 200, BatchSize = data.RowCount < 2_000 ? 32 : data.RowCount < 20_000 ? 64 : 128, Patience = 20,
                    LabelSmoothing = task == TaskKind.Classification ? TableLabelSmoothing : 0,
                },
        };
        var warnings = data.Notes.Select(n => n.ToString()).ToList();
        if (rowNames.Length > 0) warnings.Add($"'{CsvSource.RowNames}', a different name on every row, is excluded from the features (data.exclude)");
        foreach (var name in numbered)
            warnings.Add($"'{name}' numbers the rows (0, 1, 2, … or 1, 2, 3, …), as pandas writes its index: it is excluded from the features (data.exclude); if it is data, such as a rank, take it out of data.exclude");
        foreach (var column in constant)
            warnings.Add($"'{column.Name}' is '{Clip(OneValue(column)!)}' in every row: nothing to learn from, it is excluded from the features (data.exclude)");
        if (task == TaskKind.Classification && TaskInference.RowNames(data[target]) is var (classes, single))
            warnings.Add($"the target '{target}' has {classes:N0} classes in {data.RowCount:N0} rows, {single:N0} of them on one row only: "
                         + "it names rows (a title, an identifier) more than it sorts them into classes, and a model cannot learn a class from one row. "
                         + "Choose a target with fewer, larger classes");
        return new InitialSetup(config, schema, data.RowCount, warnings);
    }

    /// <summary>The one value a column of numbers or text holds in every row; null when it holds two, or one and missing
    /// ones (whether a value is there may say something), or none.</summary>
    internal static string? OneValue(Column column)
    {
        switch (column)
        {
            case NumericColumn { Count: > 0 } numbers:
                var first = numbers.Values[0];
                foreach (var v in numbers.Values)
                    if (v != first) return null; // NaN differs even from itself
                return first.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            case StringColumn { Count: > 0 } texts:
                var one = texts.Values[0];
                if (Values.IsMissing(one)) return null;
                foreach (var v in texts.Values)
                    if (!string.Equals(v, one, StringComparison.Ordinal)) return null;
                return one;
            default:
                return null;
        }
    }

    private static string Clip(string value) => value.Length > 40 ? value[..40] + "…" : value;

    /// <summary>How many distinct values a column of numbers or text has (missing ones count as one).</summary>
    private static int Distinct(Column column) => column switch
    {
        NumericColumn numbers => numbers.Values.Distinct().Count(),
        StringColumn texts => texts.Values.Distinct(StringComparer.Ordinal).Count(),
        _ => 0,
    };

    /// <summary>Label smoothing for classifying table rows: against none, up or level in accuracy on the five
    /// classification tables of docs/benchmarks.md (means over three seeds), and up on validation on four of them. The
    /// softmax comes out less confident by design; <c>training.calibrate</c> (a temperature fitted on the validation part)
    /// gives the confidence back.</summary>
    public const double TableLabelSmoothing = 0.1;

    /// <summary>Members of the table MLP's parameter-efficient ensemble (TabM's default k), for tables of fewer than
    /// <see cref="TableEnsembleRows"/> rows (docs/benchmarks.md, "A parameter-efficient ensemble").</summary>
    public const int TableEnsemble = 32;

    /// <summary>From this many rows a table trains one network: the ensemble's members multiply the arithmetic of every
    /// training row by about <see cref="TableEnsemble"/>, and it was measured on tables of 300 to 10,000 rows.</summary>
    public const int TableEnsembleRows = 20_000;

    /// <summary>Values each number's piecewise-linear bins are embedded into for tables, but for a regression
    /// (docs/benchmarks.md, "Number embeddings"). A regression feeds the bins straight to the first hidden layer: there
    /// the embeddings lost R² on two of the three tables measured (movies 0.008 over twenty splits, cars-mpg 0.002) and
    /// won 0.005 on the third (gapminder), while every classification table gained or held.</summary>
    public const int TableNumberEmbedding = 16;

    /// <summary>Piecewise-linear bins per number for tables: against plain numbers, up or level on seven of the eight
    /// vega-datasets tables of docs/benchmarks.md and 0.004 of R² down on the eighth (means over three seeds).</summary>
    public const int TableBins = 32;

    /// <summary>Most values of a number made categories where they are identities (<see cref="Data.Transforms.ValueCategories"/>),
    /// for tables that get piecewise-linear bins, whose size bound keeps these affordable too: cars' origin 0.8700 against
    /// 0.8385 without over twenty splits, up on 17 of them, and HistGradientBoosting's 0.8451 (docs/benchmarks.md,
    /// "A number's values as categories").</summary>
    public const int TableValueCategories = 64;

    /// <summary>Whether the encoding's columns stay affordable: it multiplies each number into <see cref="TableBins"/>
    /// columns (a date into up to nine numbers first); past 10 million encoded values (80 MB as the prepared table's
    /// doubles) a wide or long table keeps its numbers as they are.</summary>
    private static bool PiecewiseLinearFits(DataSchema schema, int rows)
    {
        var numbers = schema.Features.Sum(c => c.Type switch { ColumnType.Numeric => 1L, ColumnType.DateTime => 9L, _ => 0L });
        return numbers * rows * TableBins <= 10_000_000;
    }

    /// <summary>A categorical feature with so many categories for so few rows (at least <see cref="ManyCategoriesAt"/>,
    /// fewer than <see cref="RowsPerCategory"/> rows each) that one-hot columns would be fitted on a handful of rows
    /// each — the name of the first one, or null. Target encoding (smoothed, out of fold) then reads it as one number:
    /// movies' 550 directors in 3,201 rows were 0.5510 of R² one-hot against 0.5734 target-encoded (docs/benchmarks.md).</summary>
    internal static string? ManyCategories(Table data, DataSchema schema) =>
        schema.Features.Where(c => c.Type == ColumnType.Categorical && data.Contains(c.Name)).Select(c => c.Name)
            .FirstOrDefault(name =>
            {
                var distinct = data[name] is StringColumn strings ? strings.Values.Where(v => !Values.IsMissing(v)).Distinct().Count() : 0;
                return distinct >= ManyCategoriesAt && distinct * RowsPerCategory > data.RowCount;
            });

    public const int ManyCategoriesAt = 100;
    public const int RowsPerCategory = 20;

    /// <summary>The data path as the config should hold it: relative to the config when the two share a
    /// folder below the root (a project that moves as a whole), absolute otherwise.</summary>
    private static string Relative(string path, string directory)
    {
        var full = Path.GetFullPath(path);
        var from = Path.GetFullPath(directory);
        var shared = full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
                     == from.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return shared ? Path.GetRelativePath(from, full) : full;
    }
}

/// <summary>What <c>lathe init</c> decided from the data: the config, the columns' schema, the rows read, and what the
/// user should know about the data before training (a target that names its rows).</summary>
public sealed record InitialSetup(PipelineConfig Config, DataSchema Schema, int Rows, IReadOnlyList<string> Warnings)
{
    public void Deconstruct(out PipelineConfig config, out DataSchema schema, out int rows) => (config, schema, rows) = (Config, Schema, Rows);
}
