using System.Diagnostics;
using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Augmentation;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;
using Lathe.Data.Transforms;
using Lathe.Engine;
using Lathe.Evaluation;
using Lathe.Models;

namespace Lathe.Training;

/// <summary>One run, end to end: read the data, define the problem, split, fit the preprocessing on the
/// training part, build and train the model, score every part, and write <c>model.lathe</c>,
/// <c>metrics.json</c>, <c>config.resolved.yaml</c> and <c>report.html</c> to the output folder.</summary>
/// <remarks>With <c>resume</c>, training goes on from the folder's last checkpoint (same config and data required).
/// <c>callbacks</c> run after early stopping and the time limit and before the checkpoint writer, so a checkpoint holds
/// what they did. Each step's loss goes to <c>steps.jsonl</c> (<see cref="StepLog"/>) first, so that a callback throwing at
/// a step cannot leave a checkpoint of that step without its line in the log.</remarks>
public static class TrainingRun
{
    public const string BundleFile = "model.lathe";
    public const string MetricsFile = "metrics.json";
    public const string ResolvedConfigFile = "config.resolved.yaml";

    public static TrainResult Run(PipelineConfig config, string outputDirectory,
        IProgress<TrainingProgress>? progress = null, IProgress<string>? stage = null, CancellationToken cancellationToken = default,
        bool resume = false, IReadOnlyList<ITrainerCallback>? callbacks = null)
    {
        var threads = TorchRuntime.Configure(config.Training.Threads, config.Seed);
        // A process killed while writing the bundle, metrics or step log left its temporary file here.
        AtomicFile.RemoveStale(outputDirectory);
        var configHash = Checkpoint.ConfigHashOf(config);
        Checkpoint? checkpoint = null;
        if (resume)
        {
            (checkpoint, var refused) = Checkpoint.Latest(outputDirectory);
            if (refused is not null) stage?.Report($"{refused}; resuming from {Checkpoint.PreviousFile}");
            if (checkpoint.ConfigHash != configHash)
                throw new CheckpointException($"{outputDirectory} was trained with another config; resume needs the same config (train without --resume, or into another --out, to start afresh)");
        }
        var prepared = Preparation.Run(config, outputDirectory, stage, cancellationToken);
        if (checkpoint is not null && checkpoint.DataFingerprint != prepared.Fingerprint)
            throw new CheckpointException($"the data has changed since {outputDirectory} was trained (fingerprint {prepared.Fingerprint}, checkpoint {checkpoint.DataFingerprint}); resume needs the same data");
        var (task, metric, target, pipeline) = (prepared.Task, prepared.Metric, prepared.Target, prepared.Pipeline);
        var crossValidation = CrossValidate(prepared, config, outputDirectory, checkpoint is not null, stage, cancellationToken);
        var (train, trainInput, validation, test) = (prepared.Train, prepared.TrainInput, prepared.Validation, prepared.Test);
        var labelIssues = 0;
        if (config.Prepare.LabelIssues && task == TaskKind.Classification)
        {
            stage?.Report("looking for label issues (5-fold)");
            var issues = LabelIssues.Find(train, config, target, prepared.Schema, cancellationToken);
            LabelIssues.Write(Path.Combine(outputDirectory, LabelIssues.FileName), issues);
            labelIssues = issues.Count;
            if (config.Prepare.RemoveLabelIssues && issues.Count > 0)
            {
                // The pipeline is refitted on the rows that remain, so the removed rows leave no trace in it.
                var flagged = issues.Select(i => i.Row).ToHashSet();
                train = train.Gather(Enumerable.Range(0, train.RowCount).Where(r => !flagged.Contains(r)).ToArray());
                (pipeline, trainInput) = FittedPipeline.FitTransform(train, prepared.Schema, config.Prepare, target, config.Seed, Preparation.ModelFor(config, prepared.Schema));
            }
        }
        // Training rows as fitting left them (out-of-fold where a step asks), not transformed again.
        using var trainData = Oversample(LabelledData.From(train, pipeline.Pack(trainInput), target), config, pipeline.Layout);
        using var validationData = LabelledData.From(validation, pipeline, target);
        using var testData = LabelledData.From(test, pipeline, target);

        var spec = ModelSpec.Resolve(Preparation.ModelFor(config, prepared.Schema), trainData.Features.ItemShape, Predictor.OutputCount(target), pipeline.Layout, target.Task, pipeline.NumberGroups(trainInput));
        using var model = spec.Build();
        Initialization.Apply(model, config.Training.Init, config.Seed);
        // Weights from the rows the loss sees (after SMOTE, so oversampling and weighting do not both correct).
        var classWeights = trainData.Classes is null ? null : ClassWeights.Resolve(config.Training.ClassWeights, trainData.Classes, target.Classes.Count, metric);
        using var earlyStopping = new EarlyStopping(metric, config.Training.Patience);
        checkpoint?.Restore(earlyStopping);
        var checkpoints = new ModelCheckpoint(outputDirectory, config.Training.CheckpointEverySteps, earlyStopping, configHash, prepared.Fingerprint);
        stage?.Report(checkpoint is null
            ? $"training {ConfigNames.Of(spec.Kind)} on {train.RowCount} rows"
            : $"resuming {ConfigNames.Of(spec.Kind)} after epoch {checkpoint.Epoch}, batch {checkpoint.Batch} (step {checkpoint.Step})");
        var trainClock = Stopwatch.StartNew();
        var timeLimit = new TimeLimit(config.Training.MaxMinutes, config.Training.Epochs);
        using var stepLog = new StepLog(outputDirectory);
        var state = new Trainer(config.Training, target, metric, config.Seed, [stepLog, earlyStopping, timeLimit, .. callbacks ?? [], checkpoints],
                Augmentation(config.Augment, trainData.Features, pipeline.Layout), classWeights)
            .Fit(model, trainData, validationData, progress, cancellationToken, checkpoint);
        var trainSeconds = trainClock.Elapsed.TotalSeconds;
        if (timeLimit.StoppedAfter > 0)
            stage?.Report($"training.max_minutes ({config.Training.MaxMinutes}) spent: stopped after epoch {timeLimit.StoppedAfter}, keeping epoch {earlyStopping.BestEpoch}");

        stage?.Report("scoring");
        // Multilabel thresholds and a classifier's temperature are chosen on the validation part's outputs, before any part
        // is scored with them.
        var validationOutputs = Forward.Outputs(model, validationData.Input, Predictor.OutputCount(target));
        var calibration = Calibrate(validationOutputs, validationData, target, config.Training);
        if (calibration is not null)
        {
            target = target with { Temperature = calibration.Temperature };
            stage?.Report($"probabilities calibrated on the validation part: temperature {calibration.Temperature:0.###}, log loss {calibration.LogLossBefore:0.####} → {calibration.LogLossAfter:0.####}");
        }
        var validationPredictions = Predictor.Decode(validationOutputs, target);
        if (task == TaskKind.Multilabel)
        {
            target = target with { Thresholds = Thresholds(validationPredictions, validationData, target, config.Training) };
            validationPredictions = validationPredictions with { Thresholds = target.Thresholds };
        }
        Score Evaluate(LabelledData part, out Predictions predictions)
        {
            predictions = Predictor.Predict(model, part.Input, target);
            return part.Count == 0 ? new Score(new MetricSet(), null) : Scoring.Score(target, predictions, part.Classes, part.Values);
        }
        // Train metrics describe the real training rows, not SMOTE's synthetic ones.
        Score trainScore;
        if (trainData.Count == train.RowCount) trainScore = Evaluate(trainData, out _);
        else
        {
            using var realRows = LabelledData.From(train, pipeline.Pack(trainInput), target);
            trainScore = Evaluate(realRows, out _);
        }
        var validationScore = validationData.Count == 0 ? new Score(new MetricSet(), null)
            : Scoring.Score(target, validationPredictions, validationData.Classes, validationData.Values);
        var testScore = Evaluate(testData, out var testPredictions);

        var fingerprint = prepared.Fingerprint;
        var resolved = config with
        {
            Task = task, Metric = metric, Training = config.Training with { Threads = threads },
            Data = config.Data with { Layout = config.Data.Layout.WithFound(prepared.Found) },
        };
        var metrics = new RunMetrics
        {
            Task = task,
            Target = string.Join(", ", config.TargetColumns),
            Metric = metric,
            Train = trainScore.Metrics,
            Validation = validationScore.Metrics,
            Test = testScore.Metrics,
            TrainSeconds = Math.Round(trainSeconds, 3),
            Epochs = state.Epoch,
            BestEpoch = earlyStopping.BestEpoch,
            Rows = prepared.Rows with { Train = train.RowCount, LabelIssues = labelIssues },
            Classes = target.Classes,
            ConfusionMatrix = testScore.ConfusionRows,
            Columns = prepared.Schema.Columns,
            History = state.History,
            ClassWeights = classWeights,
            Calibration = calibration,
            CrossValidation = crossValidation,
            DataFingerprint = fingerprint,
            Reading = prepared.ReadNotes.Select(n => n.ToString()).ToArray(),
            Seed = config.Seed,
            Threads = threads,
            Mkl = TorchRuntime.Mkl,
            Lathe = LatheInfo.Version,
        };

        stage?.Report("writing the bundle");
        var configYaml = ConfigWriter.Write(resolved, $"Resolved by Lathe {LatheInfo.Version}: every default filled in, the task and metric decided.");
        var bundle = new Bundle(new BundleManifest
        {
            Format = BundleManifest.FormatFor(spec, target),
            Lathe = LatheInfo.Version,
            Created = DateTimeOffset.UtcNow,
            Task = task,
            Target = string.Join(", ", config.TargetColumns),
            Metric = metric,
            Input = InputFields(pipeline, train),
            Outputs = target.Columns is null ? target.Classes : target.Names,
            Metrics = new Dictionary<string, MetricSet> { ["validation"] = validationScore.Metrics, ["test"] = testScore.Metrics },
            DataFingerprint = fingerprint,
        }, configYaml, pipeline, target, spec, SafeTensors.Write(model.state_dict()));
        var bundlePath = Path.Combine(outputDirectory, BundleFile);
        bundle.Save(bundlePath);
        AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, MetricsFile), JsonSerializer.SerializeToUtf8Bytes(metrics, BundleJson.Options));
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, ResolvedConfigFile), configYaml);
        if (test.RowCount > 0)
        {
            stage?.Report("writing the report");
            EvaluationReport.Write(Path.Combine(outputDirectory, EvaluationReport.FileName), new ReportInput(
                $"Evaluation of '{target.Name}'", "test part", target, test, testPredictions, testData.Classes, testData.Values,
                testScore.Metrics, metric, state.History, crossValidation, pipeline.Schema));
        }
        return new TrainResult(outputDirectory, bundlePath, metrics, test, testPredictions);
    }

    /// <summary>With <c>training.cv</c>, the K fold models before the final one, written to <c>cv.json</c>; a resumed run
    /// reads back the cv.json written before its final model began rather than training the folds again.</summary>
    private static CrossValidationResult? CrossValidate(PreparedData prepared, PipelineConfig config, string outputDirectory, bool resumed,
        IProgress<string>? stage, CancellationToken cancellationToken)
    {
        if (config.Training.Cv < 2) return null;
        var file = Path.Combine(outputDirectory, CrossValidation.FileName);
        if (resumed && File.Exists(file))
            return JsonSerializer.Deserialize<CrossValidationResult>(File.ReadAllBytes(file), BundleJson.Options);
        var result = CrossValidation.Run(prepared, config, stage, cancellationToken);
        // The folds drew initial weights and dropout from the engine's generator; the final model starts where a run without cv does.
        TorchSharp.torch.manual_seed(config.Seed);
        AtomicFile.WriteAllBytes(file, JsonSerializer.SerializeToUtf8Bytes(result, BundleJson.Options));
        return result;
    }

    /// <summary>Multilabel: each label's threshold, tuned on the validation part's probabilities with
    /// <c>training.tune_threshold</c>, else <c>training.threshold</c> for all; null for the default 0.5, so such bundles
    /// stay as before.</summary>
    private static IReadOnlyList<double>? Thresholds(Predictions validationPredictions, LabelledData validation, FittedTarget target, TrainingConfig training)
    {
        if (training.TuneThreshold && validation.Count > 0)
            return MultilabelMetrics.TuneThresholds(validation.Values!, validationPredictions.Probabilities, target.Classes.Count);
        return training.Threshold == MultilabelMetrics.Threshold ? null : Enumerable.Repeat(training.Threshold, target.Classes.Count).ToArray();
    }

    /// <summary>Classification with <c>training.calibrate</c> and validation rows: the temperature that
    /// <see cref="TemperatureScaling"/> fits on the validation part's logits; null otherwise.</summary>
    private static TemperatureCalibration? Calibrate(float[] validationOutputs, LabelledData validation, FittedTarget target, TrainingConfig training)
    {
        if (!training.Calibrate || target.Task != TaskKind.Classification || validation.Count == 0) return null;
        var classes = target.Classes.Count;
        var temperature = TemperatureScaling.Fit(validationOutputs, validation.Classes!, classes);
        return new TemperatureCalibration(temperature, TemperatureScaling.LogLoss(validationOutputs, validation.Classes!, classes, 1),
            TemperatureScaling.LogLoss(validationOutputs, validation.Classes!, classes, temperature));
    }

    /// <summary>SMOTE's synthetic rows, for classification tables when <c>augment.smote</c> asks for them.</summary>
    /// <remarks>With a layout, only the numbers are interpolated; codes and token ids come whole from the real row.</remarks>
    internal static LabelledData Oversample(LabelledData train, PipelineConfig config, InputLayout? layout)
    {
        if (config.Augment.Smote <= 0 || train.Features.IsImage || train.Classes is null) return train;
        var (values, classes) = Smote.Synthesize(train.Features.Values!, (int)train.Features.ItemShape[0], train.Classes, config.Augment.Smote, config.Seed, layout?.Numeric);
        if (classes.Length == 0) return train;
        var augmented = train.WithRows(values, classes);
        train.Dispose();
        return augmented;
    }

    /// <summary>The training batches' augmentation from <c>augment:</c>, or null when it changes nothing.</summary>
    internal static IBatchAugmentation? Augmentation(AugmentConfig augment, Features features, InputLayout? layout)
    {
        if (features.IsImage) return augment.ForImages ? new ImageAugmentation(augment) : null;
        if (layout is null) return augment.TableNoise > 0 ? new TableNoise(augment.TableNoise) : null;
        var segments = new LayoutAugmentation(layout, augment.TableNoise, augment.TokenDropout, augment.TokenSwap, augment.ForImages ? new ImageAugmentation(augment) : null);
        return segments.Changes ? segments : null;
    }

    /// <summary>The manifest's input schema: each feature column's type, its known categories, and a numeric column's
    /// range in the training rows (what serving checks requests against).</summary>
    private static IReadOnlyList<InputField> InputFields(FittedPipeline pipeline, Table train)
    {
        var categories = pipeline.Steps.OfType<FittedOneHotEncode>().SelectMany(s => s.Columns).ToDictionary(c => c.Name, c => c.Categories);
        var coerced = Data.Cleaning.TypeCoercion.Apply(train, pipeline.Schema);
        return pipeline.Schema.Features.Select(c =>
        {
            var field = new InputField(c.Name, c.Type, categories.GetValueOrDefault(c.Name));
            if (c.Type != ColumnType.Numeric || coerced[c.Name] is not NumericColumn numbers) return field;
            var present = numbers.Values.Where(double.IsFinite).ToArray();
            return present.Length == 0 ? field : field with { Minimum = present.Min(), Maximum = present.Max() };
        }).ToArray();
    }
}
