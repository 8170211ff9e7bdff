using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>An embedding of each number from its piecewise-linear bins (Gorishniy et al. 2022, "On Embeddings for
/// Numerical Features in Tabular Deep Learning": the PLE encoding followed by a linear layer and ReLU per feature, as
/// TabM† uses it): number n's bins x_n go through their own <c>ReLU(W_n x_n + b_n)</c> into <c>width</c> values, so the
/// network sees a learned, bent function of each number before the numbers mix. The other input columns (categories,
/// flags, text features) pass through unchanged, first; the embeddings follow, number by number. Takes [rows, inputs],
/// gives [rows, passed + numbers · width].</summary>
public sealed class NumberEmbedding : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // parameter names as PyTorch spells them
    /// <summary>[numbers, width, most bins]: number n's weight is <c>weight[n, :, :bins_n]</c>, laid out as a Linear's
    /// [outputs, inputs]; the slots past a number's bins read a zero input and stay zero.</summary>
    public readonly Parameter weight;
    public readonly Parameter bias;
#pragma warning restore IDE1006
    private readonly Tensor _picked;
    private readonly Tensor? _passed;
    private readonly int[] _bins;
    private readonly long _inputs;

    /// <param name="inputs">Columns of a row.</param>
    /// <param name="groups">Each number's bin columns, as positions in a row; no position in two groups.</param>
    /// <param name="width">Values each number is embedded into.</param>
    public NumberEmbedding(long inputs, IReadOnlyList<int[]> groups, int width) : base("number_embedding")
    {
        if (groups.Count == 0) throw new ArgumentException("no numbers to embed", nameof(groups));
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "an embedding needs at least one value");
        var grouped = groups.SelectMany(g => g).ToArray();
        if (grouped.Any(p => p < 0 || p >= inputs) || grouped.Distinct().Count() != grouped.Length || groups.Any(g => g.Length == 0))
            throw new ArgumentException($"each number's bins must be distinct columns of the {inputs} inputs, and every number needs one", nameof(groups));
        _inputs = inputs;
        _bins = groups.Select(g => g.Length).ToArray();
        var most = _bins.Max();
        // Positions past a number's bins point at a zero column appended to the row.
        _picked = tensor(groups.SelectMany(g => g.Concat(Enumerable.Repeat((int)inputs, most - g.Length))).Select(p => (long)p).ToArray());
        var inGroups = grouped.ToHashSet();
        var passed = Enumerable.Range(0, (int)inputs).Where(p => !inGroups.Contains(p)).Select(p => (long)p).ToArray();
        _passed = passed.Length == 0 ? null : tensor(passed);
        PassedColumns = passed.Length;
        Width = width;
        weight = new Parameter(zeros(groups.Count, width, most));
        bias = new Parameter(empty(groups.Count, width));
        // Each number as nn.Linear(bins, width) starts: weights and bias uniform in ±1/√bins.
        using (no_grad())
        {
            for (var n = 0; n < _bins.Length; n++)
            {
                var bound = 1 / Math.Sqrt(_bins[n]);
                using var number = weight[n];
                using var slice = number.narrow(1, 0, _bins[n]);
                slice.uniform_(-bound, bound);
                using var b = bias[n];
                b.uniform_(-bound, bound);
            }
        }
        RegisterComponents();
    }

    /// <summary>Values each number is embedded into.</summary>
    public int Width { get; }

    /// <summary>Input columns that are no number's bins, passed through.</summary>
    public int PassedColumns { get; }

    /// <summary>Each embedded number's count of bins, in order.</summary>
    public IReadOnlyList<int> Bins => _bins;

    /// <summary>The row's columns each number's bins are read from, [numbers · most bins], a past-the-row position for
    /// the slots past a number's bins; and the passed columns', or null. For <see cref="HandlePass"/>.</summary>
    internal Tensor Picked => _picked;

    internal Tensor? Passed => _passed;

    /// <summary>Columns of the output: the passed columns, then each number's embedding.</summary>
    public long Outputs => PassedColumns + (long)_bins.Length * Width;

    public override Tensor forward(Tensor input)
    {
        // size(i), not shape: shape leaves a finalizable array behind on every pass (docs/serving.md).
        if (input.dim() != 2 || input.size(1) != _inputs)
            throw new ArgumentException($"the number embedding takes [rows, {_inputs}], got [{string.Join(", ", input.shape)}]");
        using var scope = NewDisposeScope();
        var rows = input.size(0);
        var numbers = _bins.Length;
        // [rows, numbers, most bins] → [numbers, rows, most bins]: one batched product per number.
        var bins = nn.functional.pad(input, [0, 1]).index_select(1, _picked).view(rows, numbers, -1).transpose(0, 1);
        var embedded = bins.bmm(weight.transpose(1, 2)).add_(bias.unsqueeze(1), Scalars.One).relu_().transpose(0, 1).reshape(rows, numbers * Width);
        var output = _passed is null ? embedded : cat([input.index_select(1, _passed), embedded], 1);
        return output.MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _picked.Dispose();
            _passed?.Dispose();
        }
        base.Dispose(disposing);
    }
}
