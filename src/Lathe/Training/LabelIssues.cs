using System.Globalization;
using System.Text;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Splitting;
using Lathe.Models;

namespace Lathe.Training;

/// <summary>Finds training rows whose given label the data disagrees with, in the manner of confident
/// learning: every row gets an out-of-fold probability for each class (a pipeline and model fitted on the
/// other folds, so no row is judged by a model that saw it); a row is flagged when its given class's
/// probability falls below that class's threshold (the mean probability rows of that class receive for it)
/// while another class clears its own threshold.</summary>
public static class LabelIssues
{
    public const string FileName = "label_issues.csv";
    public const int Folds = 5;
    /// <summary>Each fold's model trains for at most this many epochs: enough to rank rows, not a final model.</summary>
    public const int MaxEpochs = 50;

    public sealed record Issue(int Row, int Line, string Given, string Suggested, double GivenProbability, double SuggestedProbability);

    public static IReadOnlyList<Issue> Find(Table train, PipelineConfig config, FittedTarget target, Data.Schema.DataSchema schema, CancellationToken cancellationToken = default)
    {
        if (target.Task != TaskKind.Classification) return [];
        var given = target.EncodeClasses(train);
        var classes = target.Classes.Count;
        var probabilities = new float[train.RowCount * classes];
        var folds = KFold.Assign(train.RowCount, Folds, config.Seed, given);
        var training = config.Training with { Epochs = Math.Min(config.Training.Epochs, MaxEpochs), Patience = 0 };
        for (var k = 0; k < Folds; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (fitRows, heldRows) = KFold.Parts(folds, k);
            var fitPart = train.Gather(fitRows);
            var heldPart = train.Gather(heldRows);
            var modelConfig = Preparation.ModelFor(config, schema);
            var (pipeline, fitInput) = FittedPipeline.FitTransform(fitPart, schema, config.Prepare, target, config.Seed, modelConfig);
            using var fitData = LabelledData.From(fitPart, pipeline.Pack(fitInput), target);
            using var heldData = LabelledData.From(heldPart, pipeline, target);
            var spec = ModelSpec.Resolve(modelConfig, fitData.Features.ItemShape, classes, pipeline.Layout, TaskKind.Classification, pipeline.NumberGroups(fitInput));
            using var model = spec.Build();
            new Trainer(training, target, MetricKinds.DefaultFor(TaskKind.Classification), config.Seed + k + 1, []).Fit(model, fitData, heldData, null, cancellationToken);
            var held = Predictor.Predict(model, heldData.Input, target).Probabilities;
            for (var i = 0; i < heldRows.Length; i++)
                held.AsSpan(i * classes, classes).CopyTo(probabilities.AsSpan(heldRows[i] * classes, classes));
        }
        return Flag(probabilities, given, target.Classes, train);
    }

    /// <summary>The confident-learning rule over out-of-fold probabilities.</summary>
    public static IReadOnlyList<Issue> Flag(float[] probabilities, long[] given, IReadOnlyList<string> classes, Table rows)
    {
        var k = classes.Count;
        var thresholds = new double[k];
        for (var c = 0; c < k; c++)
        {
            var members = Enumerable.Range(0, given.Length).Where(r => given[r] == c).ToArray();
            thresholds[c] = members.Length == 0 ? 1 : members.Average(r => probabilities[r * k + c]);
        }
        var issues = new List<Issue>();
        for (var r = 0; r < given.Length; r++)
        {
            var label = (int)given[r];
            var p = probabilities.AsSpan(r * k, k);
            if (p[label] >= thresholds[label]) continue;
            // The most likely other class that clears its own threshold.
            var suggested = -1;
            for (var c = 0; c < k; c++)
                if (c != label && p[c] >= thresholds[c] && (suggested < 0 || p[c] > p[suggested])) suggested = c;
            if (suggested >= 0) issues.Add(new Issue(r, rows.LineOf(r), classes[label], classes[suggested], p[label], p[suggested]));
        }
        return issues.OrderBy(i => i.GivenProbability).ToArray();
    }

    public static void Write(string path, IReadOnlyList<Issue> issues)
    {
        var text = new StringBuilder("line,given,suggested,given_probability,suggested_probability\n");
        foreach (var i in issues)
            text.Append(CultureInfo.InvariantCulture, $"{i.Line},{Csv(i.Given)},{Csv(i.Suggested)},{i.GivenProbability:0.####},{i.SuggestedProbability:0.####}\n");
        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static string Csv(string field) => field.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
