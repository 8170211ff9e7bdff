using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Splitting;
using Lathe.Evaluation;
using Lathe.Models;

namespace Lathe.Training;

/// <summary><c>training.cv: K</c>: the training and validation rows dealt into K folds (stratified for
/// classification), one model per fold trained on the other folds with the fold itself as its validation
/// part, and every metric's mean and standard deviation over the folds. The test part is never touched. With
/// <c>data.split.group</c> the folds keep groups whole (<see cref="KFold.AssignGroups"/>); with <c>data.split.time</c>
/// they chain forward in time (<see cref="TimeSplit.Folds"/>: each fold trains on the past and validates on the next block).</summary>
/// <remarks>Each fold refits the preprocessing (and a regression target's scaling) on its own training rows, so no
/// statistic of a held-out row leaks into its model. Fold k trains with seed + k + 1, so the folds differ from each
/// other and from the final model, and the whole is deterministic per seed.</remarks>
public static class CrossValidation
{
    public const string FileName = "cv.json";

    public static CrossValidationResult Run(PreparedData prepared, PipelineConfig config, IProgress<string>? stage = null, CancellationToken cancellationToken = default)
    {
        var folds = config.Training.Cv;
        var rows = Table.Concat([prepared.Train, prepared.Validation]);
        var parts = Folds(rows, prepared, config);
        var results = new List<FoldResult>(folds);
        for (var k = 0; k < folds; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stage?.Report($"cross-validation: fold {k + 1} of {folds}");
            var (fitRows, heldRows) = parts[k];
            var fitPart = rows.Gather(fitRows);
            var heldPart = rows.Gather(heldRows);
            var target = prepared.Target.Refit(rows, fitRows);
            var modelConfig = Preparation.ModelFor(config, prepared.Schema);
            var (pipeline, fitInput) = FittedPipeline.FitTransform(fitPart, prepared.Schema, config.Prepare, target, config.Seed, modelConfig);
            // Each fold model is trained as the final one will be: SMOTE rows and batch augmentation included.
            using var fitData = TrainingRun.Oversample(LabelledData.From(fitPart, pipeline.Pack(fitInput), target), config, pipeline.Layout);
            using var heldData = LabelledData.From(heldPart, pipeline, target);
            var spec = ModelSpec.Resolve(modelConfig, fitData.Features.ItemShape, Predictor.OutputCount(target), pipeline.Layout, target.Task, pipeline.NumberGroups(fitInput));
            using var model = spec.Build();
            Initialization.Apply(model, config.Training.Init, config.Seed + k + 1);
            var weights = fitData.Classes is null ? null : ClassWeights.Resolve(config.Training.ClassWeights, fitData.Classes, target.Classes.Count, prepared.Metric);
            using var earlyStopping = new EarlyStopping(prepared.Metric, config.Training.Patience);
            var state = new Trainer(config.Training, target, prepared.Metric, config.Seed + k + 1, [earlyStopping],
                    TrainingRun.Augmentation(config.Augment, fitData.Features, pipeline.Layout), weights)
                .Fit(model, fitData, heldData, null, cancellationToken);
            var predictions = Predictor.Predict(model, heldData.Input, target);
            var score = Scoring.Score(target, predictions, heldData.Classes, heldData.Values);
            results.Add(new FoldResult(k + 1, fitRows.Length, heldRows.Select(rows.LineOf).ToArray(), state.Epoch, earlyStopping.BestEpoch, score.Metrics));
        }
        return new CrossValidationResult(folds, prepared.Metric, Summarize(results), results);
    }

    /// <summary>Each fold's rows to train on and rows held out: whole groups, forward in time, or dealt at random
    /// (stratified for classification), as the split asks.</summary>
    public static IReadOnlyList<(int[] Train, int[] HeldOut)> Folds(Table rows, PreparedData prepared, PipelineConfig config)
    {
        var folds = config.Training.Cv;
        var split = config.Data.Split;
        if (split.Time is { } time)
            return TimeSplit.Folds(TimeSplit.Times(rows[time]), folds, time, rows.Source);
        int[] assignment;
        if (split.Group is { } group)
        {
            assignment = KFold.AssignGroups(Data.Cleaning.TypeCoercion.Texts(rows[group]), folds, config.Seed, group);
        }
        else
        {
            var classes = prepared.Task == TaskKind.Classification ? prepared.Target.EncodeClasses(rows) : null;
            if (classes is not null)
            {
                var smallest = classes.GroupBy(c => c).Select(g => (Class: prepared.Target.Classes[(int)g.Key], Rows: g.Count())).MinBy(g => g.Rows);
                if (smallest.Rows < folds)
                    throw new DataException($"training.cv: {folds} stratified folds need at least {folds} rows of every class, but class '{smallest.Class}' has {smallest.Rows} among the training and validation rows — lower training.cv");
            }
            else if (rows.RowCount < 2 * folds)
            {
                throw new DataException($"training.cv: {rows.RowCount} training and validation rows are too few for {folds} folds of at least 2 rows — lower training.cv");
            }
            assignment = KFold.Assign(rows.RowCount, folds, config.Seed, classes);
        }
        return Enumerable.Range(0, folds).Select(k => KFold.Parts(assignment, k)).ToArray();
    }

    /// <summary>Each metric's mean and sample standard deviation (n − 1) over the folds that computed it.</summary>
    public static IReadOnlyDictionary<string, MeanStd> Summarize(IReadOnlyList<FoldResult> folds)
    {
        var names = folds.SelectMany(f => f.Metrics.Keys).Distinct().Order(StringComparer.Ordinal);
        var summary = new SortedDictionary<string, MeanStd>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var values = folds.Where(f => f.Metrics.ContainsKey(name)).Select(f => f.Metrics[name]).ToArray();
            var mean = values.Average();
            var std = values.Length < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
            summary[name] = new MeanStd(mean, std);
        }
        return summary;
    }
}
