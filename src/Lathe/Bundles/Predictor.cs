using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Models;
using static TorchSharp.torch;

namespace Lathe.Bundles;

/// <summary>Raw rows in, predictions out: the fitted pipeline, then the network in fixed-size batches.
/// The training process, <c>lathe evaluate</c>, <c>lathe predict</c> and serving all predict through it.</summary>
public sealed class Predictor(FittedPipeline pipeline, FittedTarget target, nn.Module<Tensor, Tensor> model) : IDisposable
{
    public FittedTarget Target => target;

    public Predictions Predict(Table raw) => Predict(pipeline.Transform(raw));

    public Predictions Predict(Features features) => Decode(Outputs(features), target);

    /// <summary>The network's raw outputs for model input, row-major [rows, <see cref="OutputCount"/>]; <see cref="Decode"/> turns
    /// them into predictions. Serving runs a micro-batch through here and decodes each request's rows on its own.</summary>
    public float[] Outputs(Features features)
    {
        using var input = new InputTensor(features);
        return Forward.Outputs(model, input, OutputCount(target));
    }

    public FittedPipeline Pipeline => pipeline;

    /// <summary>The one prediction path: the network over preloaded input in fixed batches, then decoded.</summary>
    public static Predictions Predict(nn.Module<Tensor, Tensor> model, InputTensor input, FittedTarget target) =>
        Decode(Forward.Outputs(model, input, OutputCount(target)), target);

    public static int OutputCount(FittedTarget target) => target.Width;

    /// <summary>Raw network outputs → predictions: softmax and the top class, or values on the target's scale
    /// (several targets: each on its own), or multilabel: each label's sigmoid probability.</summary>
    public static Predictions Decode(float[] outputs, FittedTarget target)
    {
        if (target.Task == TaskKind.Multilabel)
            return new Predictions(target.Task, target.Classes, [], Array.ConvertAll(outputs, z => (float)(1 / (1 + Math.Exp(-(double)z)))), [], Thresholds: target.Thresholds);
        if (target.Columns is { } columns)
        {
            var values = new double[outputs.Length];
            for (var i = 0; i < outputs.Length; i++) values[i] = columns[i % columns.Count].Decode(outputs[i]);
            return new Predictions(target.Task, [], [], [], values, target.Names);
        }
        if (target.Task != TaskKind.Classification)
            return new Predictions(target.Task, [], [], [], outputs.Select(target.Decode).ToArray());

        var classes = target.Classes;
        var probabilities = Softmax(outputs, classes.Count);
        var labels = new string[outputs.Length / classes.Count];
        for (var i = 0; i < labels.Length; i++)
            labels[i] = classes[Evaluation.ClassificationMetrics.ArgMax(probabilities.AsSpan(i * classes.Count, classes.Count))];
        return new Predictions(target.Task, classes, labels, probabilities, []);
    }

    /// <summary>Row-wise softmax of logits, computed in double precision for stable probabilities.</summary>
    public static float[] Softmax(float[] logits, int classes)
    {
        var probabilities = new float[logits.Length];
        // Each exponential once (the same values as computing it again for the division, so the same bits).
        var exps = classes <= 256 ? stackalloc double[classes] : new double[classes];
        for (var row = 0; row < logits.Length; row += classes)
        {
            var span = logits.AsSpan(row, classes);
            double max = span[0], sum = 0;
            foreach (var v in span) max = Math.Max(max, v);
            for (var k = 0; k < classes; k++) sum += exps[k] = Math.Exp(span[k] - max);
            for (var k = 0; k < classes; k++) probabilities[row + k] = (float)(exps[k] / sum);
        }
        return probabilities;
    }

    public void Dispose() => model.Dispose();
}
