using Lathe.Config;
using Lathe.Data.Schema;
using Lathe.Evaluation;

namespace Lathe.Bundles;

/// <summary>What a bundle is, in <c>manifest.json</c>: its format, who made it and when, the problem,
/// the input schema, the outputs, the metrics, the training data's fingerprint and the SHA-256 of every
/// other entry.</summary>
public sealed record BundleManifest
{
    /// <summary>2: input layouts (the embedding network and the text encoders) and <c>model.json</c> options that format-1
    /// readers would drop; 3: an image fused with table columns, which a format-2 reader would not see in the layout, or
    /// multilabel thresholds other than 0.5, which it would ignore; 4: several image columns, of which a format-3 reader
    /// would see only the first; 5: an ensemble's members or number embeddings, whose weights a format-4 reader would not
    /// build a network for; 6: a classifier's temperature (<c>training.calibrate</c>), which a format-5 reader would
    /// ignore and so give other probabilities. Earlier formats still load, and predict as they did.</summary>
    public const int CurrentFormat = 6;

    /// <summary>The lowest format that holds <paramref name="model"/>, so a bundle that earlier readers can load stays
    /// readable by them: 6 only for a temperature, 5 only for an ensemble or number embeddings, 4 only for several images,
    /// 3 only for a fused image or multilabel thresholds.</summary>
    public static int FormatFor(Models.ModelSpec model, Data.Pipeline.FittedTarget target) =>
        target.Temperature is not null ? 6
        : model.Ensemble > 0 || model.NumberEmbedding > 0 ? 5
        : model.Layout?.OtherImages is { Count: > 0 } ? 4 : model.Layout?.Image is null && target.Thresholds is null ? 2 : 3;

    public int Format { get; init; } = CurrentFormat;
    public string Lathe { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    public TaskKind Task { get; init; }
    public string Target { get; init; } = "";
    public MetricKind Metric { get; init; }
    public IReadOnlyList<InputField> Input { get; init; } = [];
    /// <summary>Class names for classification, in output order; empty for regression.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];
    public IReadOnlyDictionary<string, MetricSet> Metrics { get; init; } = new Dictionary<string, MetricSet>();
    public string DataFingerprint { get; init; } = "";
    public IReadOnlyDictionary<string, string> Entries { get; init; } = new Dictionary<string, string>();
}

/// <summary>One input column a request or file must provide; <see cref="Categories"/> lists the known
/// categories (others are accepted and encoded as "none of these"); <see cref="Minimum"/> and <see cref="Maximum"/>
/// are a numeric column's range in the training rows (absent in bundles from before serving).</summary>
public sealed record InputField(string Name, ColumnType Type, IReadOnlyList<string>? Categories = null, double? Minimum = null, double? Maximum = null);
