using System.Globalization;
using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data.Cleaning;
using Lathe.Data.Features;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;
using Lathe.Reporting;
using Parquet;
using Parquet.Schema;

namespace Lathe.Data.Pipeline;

/// <summary>What <c>lathe prepare</c> writes, so a user sees exactly what the model will see: each part as
/// Parquet (the model's input columns after every fitted step, as float32, images as raw bytes, then the
/// target), <c>preparation.json</c> (row counts, schema, fitted steps) and <c>preparation.html</c>.</summary>
public static class PreparedOutput
{
    public const string JsonFile = "preparation.json";
    public const string ReportFile = "preparation.html";

    public static void Write(PreparedData prepared, string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, part) in Parts(prepared))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Path.Combine(directory, $"{name}.parquet");
            // The training part as fitting left it (out-of-fold target encoding), the others transformed.
            var input = name == "train" ? prepared.TrainInput : prepared.Pipeline.TransformTable(part);
            AtomicFile.Write(path, stream => WriteParquet(prepared, part, input, stream).GetAwaiter().GetResult());
        }
        var summary = new
        {
            prepared.Task,
            Target = prepared.Target.Name,
            prepared.Target.Classes,
            prepared.Rows,
            Columns = prepared.Schema.Columns,
            Features = prepared.Pipeline.FeatureNames,
            prepared.Pipeline.DatePartTests,
            prepared.Pipeline.Steps,
        };
        AtomicFile.WriteAllBytes(Path.Combine(directory, JsonFile), JsonSerializer.SerializeToUtf8Bytes(summary, BundleJson.Options));
        Report(prepared).Save(Path.Combine(directory, ReportFile));
    }

    private static IEnumerable<(string Name, Table Part)> Parts(PreparedData prepared) =>
        [("train", prepared.Train), ("validation", prepared.Validation), ("test", prepared.Test)];

    private static async Task WriteParquet(PreparedData prepared, Table raw, Table input, Stream stream)
    {
        // The images' pixels (if any), then the other features as numbers, one-hot expanded.
        var images = ImageNames(prepared.Pipeline);
        var columns = (IReadOnlyList<string>)[.. images, .. prepared.Pipeline.FeatureNames];
        var fields = new List<DataField>();
        foreach (var image in images) fields.Add(new DataField(image, typeof(byte[]), isNullable: false));
        foreach (var name in prepared.Pipeline.FeatureNames)
            fields.Add(new DataField(name, typeof(float), isNullable: false));
        var target = prepared.Target;
        var classification = target.Task == TaskKind.Classification;
        var names = target.Names;
        foreach (var name in names)
            fields.Add(new DataField(name, classification ? typeof(string) : typeof(double), isNullable: false));

        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields.ToArray()), stream);
        // Raw pixels do not say their shape, which prepare.image may have made anything: it goes in the file's metadata.
        writer.CustomMetadata = input.Columns.OfType<ImageColumn>().Where(i => columns.Contains(i.Name))
            .ToDictionary(i => ParquetSource.ImageShapeKey(i.Name), i => $"{i.Channels},{i.Height},{i.Width}");
        using var group = writer.CreateRowGroup();
        var c = 0;
        foreach (var image in images)
        {
            var pictures = (ImageColumn)input[image];
            var size = pictures.PixelsPerImage;
            await group.WriteAsync(fields[c++], Enumerable.Range(0, pictures.Count).Select(i => pictures.Pixels[(i * size)..((i + 1) * size)]).ToArray(), null);
        }
        // One feature at a time, in the model's order: a one-hot column is expanded category by category.
        foreach (var values in InputColumns(input))
            await group.WriteAsync<float>(fields[c++], values.AsMemory(), null);
        if (classification)
        {
            await group.WriteAsync(fields[^1], target.EncodeClasses(raw).Select(k => target.Classes[(int)k]).ToArray(), null);
            return;
        }
        // Several targets (or labels, as 0/1): one column each, after the features.
        var truth = target.NumbersOf(raw);
        for (var t = 0; t < names.Count; t++)
            await group.WriteAsync<double>(fields[fields.Count - names.Count + t], Evaluation.Scoring.Column(truth, t, names.Count).AsMemory(), null);
    }

    /// <summary>The image columns the model reads: the layout's, in order, or the one image of an image model.</summary>
    private static IReadOnlyList<string> ImageNames(FittedPipeline pipeline) =>
        pipeline.Layout is { } layout ? layout.Images.Select(i => i.Name).ToArray() : pipeline.Image is { } image ? [image] : [];

    private static IEnumerable<float[]> InputColumns(Table input) => input.Columns.SelectMany(column => column switch
    {
        NumericColumn n => [n.Values.Select(v => (float)v).ToArray()],
        OneHotColumn o => Enumerable.Range(0, o.Categories.Count).Select(k => o.Codes.Select(code => code == k ? 1f : 0f).ToArray()),
        _ => Array.Empty<float[]>(),
    });

    private static HtmlReport Report(PreparedData prepared)
    {
        var report = new HtmlReport($"Preparation of '{prepared.Target.Name}'");
        var rows = prepared.Rows;
        report.Heading("Rows");
        report.Table(["part", "rows"],
        [
            ["train", N(rows.Train)], ["validation", N(rows.Validation)], ["test", N(rows.Test)],
            ["left out: no target", N(rows.DroppedMissingTarget)],
            ["left out: too many feature values missing (prepare.drop_rows_above)", N(rows.SparseRowsDropped)],
            ["training rows dropped as outliers (prepare.outlier_action: drop)", N(rows.OutlierRowsDropped)],
            ["values of the wrong type made missing (data.bad_values: missing)", N(rows.ValuesMadeMissing)
                + (prepared.MadeMissing is { Count: > 0 } made ? " — " + string.Join(", ", made.Select(p => $"'{p.Key}' {N(p.Value)}")) : "")],
            ["quarantined as malformed (quarantine.csv)", N(rows.Quarantined)],
            ["exact duplicates found / dropped", $"{N(rows.Duplicates)} / {N(rows.DuplicatesDropped)}"],
            ["groups with the same features but different targets", N(rows.ConflictingDuplicates)],
        ]);
        if (prepared.Target.Task == TaskKind.Classification)
        {
            foreach (var (name, part) in Parts(prepared))
            {
                var counts = prepared.Target.EncodeClasses(part).GroupBy(k => k).OrderByDescending(g => g.Count()).Select(g => (prepared.Target.Classes[(int)g.Key], g.Count())).ToArray();
                if (counts.Length > 0) report.Figure(Charts.Bars(counts.Take(30).ToArray(), "rows"), $"Classes in the {name} part");
            }
        }
        report.Heading("Columns");
        report.Table(["column", "type", "use"], prepared.Schema.Columns.Select(c => (IReadOnlyList<string>)[c.Name, c.Type.ToString().ToLowerInvariant(), c.Unused ?? "feature"]));
        report.Heading("Fitted on the training part");
        report.List((prepared.Pipeline.DatePartTests ?? []).Select(Describe).Concat(prepared.Pipeline.Steps.SelectMany(Describe)));
        var names = ImageNames(prepared.Pipeline);
        var image = names.Count == 0 ? "" : $"the image{(names.Count > 1 ? "s" : "")} {string.Join(", ", names.Select(n => $"'{n}'"))}{(prepared.Pipeline.FeatureNames.Count > 0 ? " and " : "")}";
        var features = prepared.Pipeline.FeatureNames;
        report.Paragraph(features.Count == 0 ? $"The model sees {image}." : $"The model sees {image}{features.Count} input columns: {string.Join(", ", features.Take(40))}{(features.Count > 40 ? ", …" : "")}.", "muted");
        return report;
    }

    /// <summary>A date part's test, in words: kept or left out, and why.</summary>
    private static string Describe(DatePartTest test)
    {
        var with = DatePartScreening.Cycles.First(c => c.Part == test.Part).With;
        var part = $"'{test.Column}.{test.Part}'{(with.Length > 0 ? $" (with {string.Join(" and ", with.Select(w => $"'.{w}'"))})" : "")}";
        var p = $"permutation test over {DatePartScreening.Shuffles} shuffles: p = {test.P:0.000}";
        if (test.Levels <= 1) return $"{part} left out: one value in every training row";
        if (test.OneDayOfMonth) return $"{part} left out: every training date falls on the same day of the month, so the weekday ({test.Levels} values) only re-encodes the year and month (prepare.date_parts: all keeps it)";
        return test.Kept ? $"{part} kept: related to the target on training ({test.Levels} values; {p})" : $"{part} left out: not related to the target on training ({test.Levels} values; {p}; prepare.date_parts: all keeps it)";
    }

    /// <summary>A number's value-categories test, in words: its values made categories or not, and why.</summary>
    private static string Describe(ValueCategoryTest test, ValueCategoryColumn? kept)
    {
        var why = $"{N(test.Values)} values; out of fold its values' own rows predict the target {Math.Abs(test.Gain):0.0%} {(test.Gain >= 0 ? "better" : "worse")} than its {ValueCategories.Bins} quantile bins";
        return kept is not null
            ? $"'{test.Column}': also the category '{kept.ColumnName}' of its {kept.Values.Count} values two or more training rows share ({why})"
            : $"'{test.Column}': kept as a number only ({why}; {ValueCategories.MinGain:0%} better makes its values categories)";
    }

    /// <summary>One line per fitted choice, in words.</summary>
    private static IEnumerable<string> Describe(IFittedStep step) => step switch
    {
        FittedDropColumns d => d.Columns.Select(c => $"dropped '{c.Name}': {c.Reason}"),
        FittedImpute i => i.Columns.Select(c => c.Number is { } n
            ? $"'{c.Name}': missing numbers filled with {Charts.Number(n)}{(c.Indicator ? ", with a '.missing' indicator" : "")}"
            : $"'{c.Name}': missing categories filled with '{c.Category}'"),
        FittedValueCategories v => v.Tests.Select(t => Describe(t, v.Columns.FirstOrDefault(c => c.Name == t.Column))),
        FittedClipOutliers o => o.Columns.Select(c => $"'{c.Name}': clipped to [{Charts.Number(c.Lower)}, {Charts.Number(c.Upper)}] ({ConfigNames.Of(o.Method)})"),
        FittedPowerTransform p => p.Columns.Select(c => c.Skipped is not null ? $"'{c.Name}': {c.Skipped}" : $"'{c.Name}': {ConfigNames.Of(c.Method)}{(c.Method == TransformKind.Log ? "" : $" with λ = {c.Lambda:0.###}")}"),
        FittedQuantileBin q => q.Columns.Select(c => $"'{c.Name}': {c.Edges.Count + 1} quantile bins"),
        FittedHashEncode h => h.Columns.Select(c => $"'{c}': hashed into {h.Buckets} columns"),
        FittedScale s => s.Columns.Select(c => $"'{c.Name}': scaled as (x − {Charts.Number(c.Center)}) / {Charts.Number(c.Spread)} ({ConfigNames.Of(s.Method)})"),
        FittedPiecewiseLinearEncode p => p.Columns.Select(c => $"'{c.Name}': piecewise-linear over {c.Bins} quantile bins ('{c.ColumnName(1)}' … '{c.ColumnName(c.Bins)}')"),
        FittedOneHotEncode e => e.Columns.Select(c => $"'{c.Name}': one-hot over {c.Categories.Count} categories ({string.Join(", ", c.Categories.Take(8))}{(c.Categories.Count > 8 ? ", …" : "")}); unknown → all zeros"),
        FittedTargetEncode t => t.Columns.Select(c => $"'{c.Name}': target encoding over {c.Categories.Count} categories into {string.Join(", ", t.Outputs.Select(o => $"'{c.Name}.{o}'"))}, smoothed toward the prior with m = {Charts.Number(t.Smoothing)}; training rows out-of-fold ({t.Folds} folds); unknown → the prior"),
        FittedOrdinalEncode e => e.Columns.Select(c => $"'{c.Name}': ordinal codes 0–{c.Categories.Count - 1}; unknown → −1"),
        FittedTextVectorize t => t.Columns.Select(c => $"'{c.Name}': TF-IDF over {c.Tokens.Count} {(c.Tokenizer.Kind == TextTokenization.Bpe ? $"BPE subwords of {c.Tokenizer.Vocabulary.Count} learned" : "words")} ({string.Join(", ", c.Words.Take(8))}{(c.Tokens.Count > 8 ? ", …" : "")})"),
        FittedDeriveFeatures d => d.Columns.Select(c => $"derived '{c.Name}' = {c.Formula}"),
        FittedSelectFeatures f => f.Dropped.Select(c => $"dropped feature '{c.Name}': {c.Reason}"),
        FittedImageCrop c => c.Columns.Select(i => $"'{i.Name}': center crop {ReshapedImage.Text(i.Input)} → {ReshapedImage.Text(i.Output)}"),
        FittedImageGrayscale g => g.Columns.Select(i => i.Input[0] == 1 ? $"'{i.Name}': already one channel" : $"'{i.Name}': grayscale (BT.601 luma) {ReshapedImage.Text(i.Input)} → {ReshapedImage.Text(i.Output)}"),
        FittedImageResize r => r.Columns.Select(i => $"'{i.Name}': bilinear resize {ReshapedImage.Text(i.Input)} → {ReshapedImage.Text(i.Output)}"),
        FittedImageNormalize n => n.Columns.Select(c => $"'{c.Name}': pixels normalised with mean {c.Mean:0.000} and std {c.Std:0.000}"),
        _ => [step.GetType().Name],
    };

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
