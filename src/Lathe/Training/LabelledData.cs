using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Models;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>One part of the data ready for the engine: the preloaded input, the target tensor the loss
/// needs, and the truth the metrics need.</summary>
public sealed class LabelledData : IDisposable
{
    private LabelledData(Features features, long[]? classes, double[]? values, float[]? scaled, int width = 1)
    {
        Features = features;
        Input = new InputTensor(features);
        Classes = classes;
        Values = values;
        // Several targets (or labels) a row: a [rows, width] tensor, as the network's output.
        Target = classes is not null ? tensor(classes) : width == 1 ? tensor(scaled!) : tensor(scaled!, [features.Rows, width]);
    }

    public Features Features { get; }
    public InputTensor Input { get; }
    /// <summary>Class indices (int64) or scaled values (float32), one per row; [rows, width] for several targets or labels.</summary>
    public Tensor Target { get; }
    public long[]? Classes { get; }
    /// <summary>Regression: true values (row-major with several targets); multilabel: 0/1 per label, row-major.</summary>
    public double[]? Values { get; }
    public int Count => Features.Rows;

    public static LabelledData From(Table raw, FittedPipeline pipeline, FittedTarget target) => From(raw, pipeline.Transform(raw), target);

    /// <summary>The rows of <paramref name="raw"/> with their input already made (the training part, from fitting).</summary>
    public static LabelledData From(Table raw, Features features, FittedTarget target) =>
        target.Task == TaskKind.Classification
            ? new LabelledData(features, target.EncodeClasses(raw), null, null)
            : new LabelledData(features, null, target.NumbersOf(raw), target.EncodeValues(raw), target.Width);

    /// <summary>This part with extra rows appended (SMOTE's synthetic training rows).</summary>
    public LabelledData WithRows(float[] values, long[] classes)
    {
        var width = (int)Features.ItemShape[0];
        var merged = Features.FromTable(Count + classes.Length, [.. Features.Values!, .. values], width);
        return new LabelledData(merged, [.. Classes!, .. classes], null, null);
    }

    public void Dispose()
    {
        Input.Dispose();
        Target.Dispose();
    }
}
