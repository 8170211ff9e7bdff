using System.Diagnostics;
using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Data.Splitting;
using Lathe.Data.Transforms;
using Lathe.Engine;
using Lathe.Evaluation;
using Lathe.Models;

namespace Lathe.Training;

/// <summary>One run, end to end: read the data, define the problem, split, fit the preprocessing on the
/// training part, build and train the model, score every part, and write <c>model.lathe</c>,
/// <c>metrics.json</c> and <c>config.resolved.yaml</c> to the output folder.</summary>
public static class TrainingRun
{
    public const string BundleFile = "model.lathe";
    public const string MetricsFile = "metrics.json";
    public const string ResolvedConfigFile = "config.resolved.yaml";

    public static TrainResult Run(PipelineConfig config, string outputDirectory,
        IProgress<TrainingProgress>? progress = null, IProgress<string>? stage = null, CancellationToken cancellationToken = default)
    {
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0) throw new ConfigException(null, errors);
        var threads = TorchRuntime.Configure(config.Training.Threads, config.Seed);

        stage?.Report($"reading {Path.GetFileName(config.Data.Path)}");
        var source = DataSource.Open(config.Data);
        var read = source.Read(cancellationToken);
        var (labelled, dropped) = WithTarget(read, config.Target);
        foreach (var column in config.Data.Exclude)
            if (!labelled.Contains(column)) throw labelled.MissingColumn(column, "column to exclude (data.exclude)");

        var task = config.Task == TaskKind.Auto ? TaskInference.Infer(labelled[config.Target]) : config.Task;
        // Rows the reader could not parse, and rows whose values do not fit their column's type, are set
        // aside and listed in quarantine.csv; too many of them stop the run before any training.
        var (screened, quarantined) = Quarantine.Screen(labelled, SchemaInference.Infer(labelled, config.Target, config.Data.Exclude),
            task == TaskKind.Regression ? config.Target : null);
        var (data, duplicates, duplicatesDropped, conflicting) = Duplicates.Handle(screened, config.Target, config.Prepare.Duplicates);
        var quarantineFile = Path.Combine(outputDirectory, Quarantine.FileName);
        if (quarantined.Count > 0) Quarantine.Write(quarantineFile, quarantined);
        Quarantine.Check(read.Source, quarantined, read.RowCount + read.Quarantined.Count, config.Data.QuarantineLimit, quarantineFile);
        var metric = config.Metric == MetricKind.Auto ? MetricKinds.DefaultFor(task) : config.Metric;
        if (!metric.AppliesTo(task))
            throw new ConfigException(null, [new ConfigError("metric", null, $"'{ConfigNames.Of(metric)}' does not apply to {ConfigNames.Of(task)}")]);

        // Classes are the problem's definition, known before the split (which they stratify); a regression
        // target's scaling is a fitted statistic, so it waits for the training part.
        var classes = task == TaskKind.Classification ? FittedTarget.Fit(data[config.Target], task, []) : null;
        var parts = Split(data, config, classes);
        var train = data.Gather(parts.Train);
        var validation = data.Gather(parts.Validation);
        var test = data.Gather(parts.Test);
        var files = source.Files.ToList();
        if (config.Data.Test is { } testSource)
        {
            stage?.Report($"reading {Path.GetFileName(testSource.Path)}");
            var fixedTest = DataSource.Open(testSource.Path, testSource.Format, testSource.Labels, testSource.Encoding, config.Data.QuarantineLimit);
            (test, var droppedTest) = WithTarget(Quarantine.RequireNone(fixedTest.Read(cancellationToken)), config.Target);
            dropped += droppedTest;
            files.AddRange(fixedTest.Files);
        }
        if (train.RowCount < 2 || validation.RowCount == 0)
            throw new DataException($"{data.Source}: {data.RowCount} rows give {train.RowCount} training and {validation.RowCount} validation rows — Lathe needs more rows, or a larger validation fraction");

        stage?.Report("fitting the preprocessing on the training part");
        var target = classes ?? FittedTarget.Fit(data[config.Target], task, parts.Train);
        // A group column identifies rows (a patient, a user); its values in test are unseen by design.
        var exclude = config.Data.Split.Group is { } groupColumn ? [.. config.Data.Exclude, groupColumn] : config.Data.Exclude;
        var schema = SchemaInference.Infer(train, config.Target, exclude);
        var pipeline = FittedPipeline.Fit(train, schema, config.Prepare);
        using var trainData = LabelledData.From(train, pipeline, target);
        using var validationData = LabelledData.From(validation, pipeline, target);
        using var testData = LabelledData.From(test, pipeline, target);

        var spec = ModelSpec.Resolve(config.Model, trainData.Features.ItemShape, Predictor.OutputCount(target));
        using var model = spec.Build();
        using var earlyStopping = new EarlyStopping(metric, config.Training.Patience);
        stage?.Report($"training {ConfigNames.Of(spec.Kind)} on {train.RowCount} rows");
        var trainClock = Stopwatch.StartNew();
        var state = new Trainer(config.Training, target, metric, config.Seed, [earlyStopping])
            .Fit(model, trainData, validationData, progress, cancellationToken);
        var trainSeconds = trainClock.Elapsed.TotalSeconds;

        stage?.Report("scoring");
        Score Evaluate(LabelledData part, out Predictions predictions)
        {
            predictions = Predictor.Predict(model, part.Input, target);
            return part.Count == 0 ? new Score(new MetricSet(), null) : Scoring.Score(target, predictions, part.Classes, part.Values);
        }
        var trainScore = Evaluate(trainData, out _);
        var validationScore = Evaluate(validationData, out _);
        var testScore = Evaluate(testData, out var testPredictions);

        var fingerprint = DataSource.Fingerprint(files);
        var resolved = config with { Task = task, Metric = metric, Training = config.Training with { Threads = threads } };
        var metrics = new RunMetrics
        {
            Task = task,
            Target = config.Target,
            Metric = metric,
            Train = trainScore.Metrics,
            Validation = validationScore.Metrics,
            Test = testScore.Metrics,
            TrainSeconds = Math.Round(trainSeconds, 3),
            Epochs = state.Epoch,
            BestEpoch = earlyStopping.BestEpoch,
            Rows = new RowCounts(train.RowCount, validation.RowCount, test.RowCount, dropped, quarantined.Count, duplicates, duplicatesDropped, conflicting),
            Classes = target.Classes,
            ConfusionMatrix = testScore.ConfusionRows,
            Columns = schema.Columns,
            History = state.History,
            DataFingerprint = fingerprint,
            Seed = config.Seed,
            Threads = threads,
            Lathe = LatheInfo.Version,
        };

        stage?.Report("writing the bundle");
        var configYaml = ConfigWriter.Write(resolved, $"Resolved by Lathe {LatheInfo.Version}: every default filled in, the task and metric decided.");
        var bundle = new Bundle(new BundleManifest
        {
            Lathe = LatheInfo.Version,
            Created = DateTimeOffset.UtcNow,
            Task = task,
            Target = config.Target,
            Metric = metric,
            Input = InputFields(pipeline),
            Outputs = target.Classes,
            Metrics = new Dictionary<string, MetricSet> { ["validation"] = validationScore.Metrics, ["test"] = testScore.Metrics },
            DataFingerprint = fingerprint,
        }, configYaml, pipeline, target, spec, SafeTensors.Write(model.state_dict()));
        var bundlePath = Path.Combine(outputDirectory, BundleFile);
        bundle.Save(bundlePath);
        AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, MetricsFile), JsonSerializer.SerializeToUtf8Bytes(metrics, BundleJson.Options));
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, ResolvedConfigFile), configYaml);
        return new TrainResult(outputDirectory, bundlePath, metrics, test, testPredictions);
    }

    /// <summary>Holdout by default (stratified for classification); whole groups with <c>split.group</c>; in
    /// time order with <c>split.time</c>.</summary>
    private static SplitParts Split(Table data, PipelineConfig config, FittedTarget? classes)
    {
        var split = config.Data.Split;
        if (split.Group is { } group)
        {
            if (!data.Contains(group)) throw data.MissingColumn(group, "group column (data.split.group)");
            return GroupSplit.Split(data[group] is StringColumn s ? s.Values : ((NumericColumn)data[group]).Values.Select(v => double.IsNaN(v) ? null : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray(), split, config.Seed);
        }
        if (split.Time is { } time)
        {
            if (!data.Contains(time)) throw data.MissingColumn(time, "time column (data.split.time)");
            return TimeSplit.Split(TimeSplit.Times(data[time]), split, time, data.Source);
        }
        return HoldoutSplit.Split(data.RowCount, split, config.Seed, classes?.EncodeClasses(data));
    }

    /// <summary>The rows that have a target; the others cannot be trained or scored on, and are counted.</summary>
    private static (Table Rows, int Dropped) WithTarget(Table table, string target)
    {
        if (!table.Contains(target)) throw table.MissingColumn(target, "target column");
        var rows = FittedTarget.RowsWithTarget(table[target]);
        return rows.Length == table.RowCount ? (table, 0) : (table.Gather(rows), table.RowCount - rows.Length);
    }

    private static IReadOnlyList<InputField> InputFields(FittedPipeline pipeline)
    {
        var categories = pipeline.Steps.OfType<FittedOneHotEncode>().SelectMany(s => s.Columns).ToDictionary(c => c.Name, c => c.Categories);
        return pipeline.Schema.Features.Select(c => new InputField(c.Name, c.Type, categories.GetValueOrDefault(c.Name))).ToArray();
    }
}
