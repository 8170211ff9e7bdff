using Lathe.Config;
using Lathe.Data.Cleaning;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Data.Splitting;

namespace Lathe.Data.Pipeline;

/// <summary>Collection → cleaning → split → fitted preprocessing, as <c>lathe train</c> and
/// <c>lathe prepare</c> both run it: read the data, set aside rows without a target, quarantine malformed
/// rows (stopping past the limit), handle duplicates, decide the task and metric, split, and fit the
/// pipeline on the training part only.</summary>
public static class Preparation
{
    public static PreparedData Run(PipelineConfig config, string outputDirectory, IProgress<string>? stage = null, CancellationToken cancellationToken = default)
    {
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0) throw new ConfigException(null, errors);

        var source = DataSource.Open(config.Data);
        stage?.Report($"reading {Path.GetFileName(source.Name)}");
        var read = source.Read(cancellationToken);
        var targets = config.TargetColumns;
        // Several targets: the first stands for them where one target column is named; the others are kept out of the features.
        var first = targets[0];
        var (labelled, dropped) = WithTarget(read, targets);
        foreach (var column in config.Data.Exclude)
            if (!labelled.Contains(column)) throw labelled.MissingColumn(column, "column to exclude (data.exclude)");
        IReadOnlyList<string> excluded = [.. config.Data.Exclude, .. targets.Skip(1)];

        var task = config.Task == TaskKind.Auto ? InferTask(labelled, targets) : config.Task;
        var metric = config.Metric == MetricKind.Auto ? MetricKinds.DefaultFor(task) : config.Metric;
        if (!metric.AppliesTo(task))
            throw new ConfigException(null, [new ConfigError("metric", null, $"'{ConfigNames.Of(metric)}' does not apply to {ConfigNames.Of(task)}")]);

        // Rows the reader could not parse, and rows whose values do not fit their column's type, are set
        // aside and listed in quarantine.csv; too many of them stop the run before any training.
        stage?.Report("screening the rows");
        var screening = SchemaInference.Infer(labelled, first, excluded);
        var (screened, quarantined, madeMissing) = Quarantine.Screen(labelled, screening, task == TaskKind.Regression ? first : null, config.Data.BadValues);
        var quarantineFile = Path.Combine(outputDirectory, Quarantine.FileName);
        if (quarantined.Count > 0) Quarantine.Write(quarantineFile, quarantined);
        Quarantine.Check(read.Source, quarantined, read.RowCount + read.Quarantined.Count, config.Data.QuarantineLimit, quarantineFile);
        stage?.Report("looking for duplicate rows");
        var (data, duplicates, duplicatesDropped, conflicting) = Duplicates.Handle(screened, first, config.Prepare.Duplicates);
        (data, var sparseRows) = SparseRows.Drop(data, screening.Features.Select(c => c.Name).ToArray(), config.Prepare.DropRowsAbove);

        // Classes are the problem's definition, known before the split (which they stratify); a regression
        // target's scaling is a fitted statistic, so it waits for the training part.
        stage?.Report("splitting");
        var classes = task == TaskKind.Classification ? FittedTarget.Fit(data[first], task, []) : null;
        var parts = Split(data, config, classes);
        var train = data.Gather(parts.Train);
        var validation = data.Gather(parts.Validation);
        var test = data.Gather(parts.Test);
        var reads = new List<(IDataSource, Table)> { (source, read) };
        if (config.Data.Test is { } testSource)
        {
            stage?.Report($"reading {Path.GetFileName(testSource.Path)}");
            var fixedTest = DataSource.Open(testSource.Path, testSource.Format, testSource.Labels, testSource.Encoding, config.Data.QuarantineLimit, layout: testSource.Layout);
            var testRead = Quarantine.RequireNone(fixedTest.Read(cancellationToken));
            (test, var droppedTest) = WithTarget(testRead, targets);
            dropped += droppedTest;
            reads.Add((fixedTest, testRead));
        }
        if (train.RowCount < 2 || validation.RowCount == 0) throw TooFewRows(data, first, classes, train.RowCount, validation.RowCount, config.Data.Split);

        stage?.Report("fitting the preprocessing on the training part");
        var target = classes ?? FittedTarget.Fit(data, targets, task, parts.Train);
        // A group column identifies rows (a patient, a user); its values in test are unseen by design.
        var exclude = config.Data.Split.Group is { } groupColumn ? [.. excluded, groupColumn] : excluded;
        var text = config.Prepare.Text != TextHandling.None || config.Model.ReadsTextAsSequences;
        var schema = Widened(SchemaInference.Infer(train, first, exclude, text), screening, data, first, exclude, text);
        var outliers = 0;
        if (config.Prepare.Outliers != OutlierMethod.None && config.Prepare.OutlierAction == OutlierAction.Drop)
            (train, outliers) = ClipOutliers.DropRows(train, schema, config.Prepare.Outliers, config.Prepare.OutlierThreshold);
        var (pipeline, trainInput) = FittedPipeline.FitTransform(train, schema, config.Prepare, target, config.Seed, ModelFor(config, schema));
        var rows = new RowCounts(train.RowCount, validation.RowCount, test.RowCount, dropped, quarantined.Count, duplicates, duplicatesDropped, conflicting, SparseRowsDropped: sparseRows, ValuesMadeMissing: madeMissing.Values.Sum(), OutlierRowsDropped: outliers);
        return new PreparedData(task, metric, target, schema, pipeline, train, trainInput, validation, test, rows, quarantined, DataSource.Fingerprint(reads), madeMissing)
        {
            ReadNotes = reads.SelectMany(r => r.Item2.Notes.Select(n => n with { Problem = $"{r.Item2.Source}: {n.Problem}" })).ToArray(),
            Found = read.Found,
        };
    }

    /// <summary>The model config with <c>model.kind: auto</c> resolved from the data's modality, as the pipeline
    /// needs it: the text kinds read token sequences, the embedding network category codes.</summary>
    /// <summary>The training part's schema, with a column typed as numbers, yes/no or dates there but as categories or
    /// text over every row (values that are none of those only in the validation or test part: dslabs' regents scores,
    /// whose 'label' column holds "test_year" and "Scores" above 102 numbers) typed as the whole data types it. Else the
    /// other parts' rows could not be transformed, and the run stopped on a value that `lathe init`, reading the whole
    /// file, had already said made the column text.</summary>
    private static DataSchema Widened(DataSchema schema, DataSchema screening, Table data, string target, IReadOnlyCollection<string> exclude, bool text)
    {
        var widened = schema.Columns
            .Where(c => c.Name != target && c.Type is ColumnType.Numeric or ColumnType.Boolean or ColumnType.DateTime
                        && screening.Find(c.Name)?.Type is ColumnType.Categorical or ColumnType.Text)
            .Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        if (widened.Count == 0) return schema;
        var whole = SchemaInference.Infer(data.With([.. schema.Columns.Where(c => widened.Contains(c.Name)).Select(c => data[c.Name]), data[target]]), target, exclude, text);
        return schema with { Columns = schema.Columns.Select(c => widened.Contains(c.Name) ? whole.Find(c.Name)! : c).ToArray() };
    }

    public static ModelConfig ModelFor(PipelineConfig config, DataSchema schema)
    {
        var kind = config.Model.Kind.Resolve(images: schema.Features.Any(c => c.Type == ColumnType.Image));
        if (kind.IsSequence() && !schema.Features.Any(c => c.Type == ColumnType.Text))
            throw new DataException($"model.kind is {ConfigNames.Of(kind)}, which reads free text, but no feature column is text ({string.Join(", ", schema.Features.Select(c => $"{c.Name}: {ConfigNames.Of(c.Type)}").Take(12))}) — use tabular (or auto) for tables without free text");
        if (config.Model.TextEncoder != TextEncoderKind.Tfidf && (kind is not (ModelKind.Cnn or ModelKind.Resnet) || !schema.Features.Any(c => c.Type == ColumnType.Text)))
            throw new DataException($"model.text_encoder is {ConfigNames.Of(config.Model.TextEncoder)}, which reads text columns beside an image, but the features have {(schema.Features.Any(c => c.Type == ColumnType.Image) ? "no text column" : "no image column")} ({string.Join(", ", schema.Features.Select(c => $"{c.Name}: {ConfigNames.Of(c.Type)}").Take(12))}) — for text without an image use `model.kind: {ConfigNames.Of(config.Model.TextEncoder)}`, else remove the key");
        return config.Model with { Kind = kind };
    }

    /// <summary>Why a split left no validation rows (or under two training rows). A stratified split keeps each class's
    /// only row for training, so a target with a class per row or so (a name, an identifier) gets no validation part
    /// whatever its fractions: that is said, rather than asking for fractions that would not help.</summary>
    private static DataException TooFewRows(Table data, string target, FittedTarget? classes, int train, int validation, SplitConfig split)
    {
        var counts = $"{data.RowCount} rows give {train} training and {validation} validation rows";
        if (classes is not null && split.Stratify && split.Group is null && split.Time is null)
        {
            var sizes = classes.EncodeClasses(data).CountBy(c => c).Select(c => c.Value).ToArray();
            var single = sizes.Count(n => n == 1);
            if (TaskInference.NamesRows(sizes))
                return new DataException($"{data.Source}: {counts}: the target '{target}' has {sizes.Length} classes in {data.RowCount} rows, {single} of them on one row only, and a class's only row stays in training so the model sees it. A target that names nearly every row is not one to learn classes of; choose another target, or give each class more rows");
        }
        return new DataException($"{data.Source}: {counts} — Lathe needs more rows, or a larger validation fraction");
    }

    /// <summary>Holdout by default (stratified for classification); whole groups with <c>split.group</c>; in
    /// time order with <c>split.time</c>.</summary>
    private static SplitParts Split(Table data, PipelineConfig config, FittedTarget? classes)
    {
        var split = config.Data.Split;
        var seed = split.Seed ?? config.Seed;
        if (split.Group is { } group)
        {
            if (!data.Contains(group)) throw data.MissingColumn(group, "group column (data.split.group)");
            return GroupSplit.Split(TypeCoercion.Texts(data[group]), split, seed);
        }
        if (split.Time is { } time)
        {
            if (!data.Contains(time)) throw data.MissingColumn(time, "time column (data.split.time)");
            return TimeSplit.Split(TimeSplit.Times(data[time]), split, time, data.Source);
        }
        return HoldoutSplit.Split(data.RowCount, split, seed, classes?.EncodeClasses(data));
    }

    /// <summary>Several target columns: all numeric and not just whole numbers is regression; all yes/no is multilabel.</summary>
    private static TaskKind InferTask(Table table, IReadOnlyList<string> targets)
    {
        if (targets.Count == 1) return TaskInference.Infer(table[targets[0]]);
        var tasks = targets.Select(t => TaskInference.Infer(table[t])).Distinct().ToArray();
        if (tasks is [TaskKind.Regression]) return TaskKind.Regression;
        if (tasks is [TaskKind.Classification]) return TaskKind.Multilabel;
        throw new ConfigException(null, [new ConfigError("task", null,
            $"the targets {string.Join(", ", targets)} mix numbers and labels, so the task cannot be decided", "set `task: regression` or `task: multilabel`")]);
    }

    /// <summary>The rows that have every target; the others cannot be trained or scored on, and are counted.</summary>
    private static (Table Rows, int Dropped) WithTarget(Table table, IReadOnlyList<string> targets)
    {
        var rows = FittedTarget.RowsWithTargets(table, targets);
        return rows.Length == table.RowCount ? (table, 0) : (table.Gather(rows), table.RowCount - rows.Length);
    }
}
