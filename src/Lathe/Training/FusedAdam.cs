using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>Adam with each parameter's update done in one pass over its memory. TorchSharp's <c>step</c> (like PyTorch's
/// single-tensor Adam on a CPU) runs about ten tensor operations per parameter, each a native call and a full pass over
/// the parameter's size; here the moments, the bias-corrected denominator and the parameter are updated element by
/// element in one vectorised loop over the four tensors' own memory. The state is TorchSharp's own (<c>exp_avg</c>,
/// <c>exp_avg_sq</c>, <c>step</c>), so checkpoints save and load as before; parameters the loop cannot take (not
/// float32, not contiguous, not on the CPU) and the variants the config never asks for (amsgrad, maximize) go through
/// TorchSharp's step. The arithmetic is per element, in TorchSharp's order, so a run is as reproducible as before (its
/// results may differ from TorchSharp's step in the last bits: libtorch's vectorised kernels may fuse a multiply and an
/// add). AdamW is the same loop with decoupled weight decay. Measured on the MLP 784-256-128-10 (batch 128, two threads):
/// the step alone 384 → 94 µs with its tensors in cache; in a training step, where they come from memory, 520 → 320 µs
/// (docs/benchmarks.md).</summary>
public sealed class FusedAdam(IEnumerable<Parameter> parameters, double lr, double weightDecay, bool decoupled)
    : Adam(parameters, lr, weight_decay: decoupled ? 0 : weightDecay)
{
    /// <summary>Decoupled weight decay (AdamW): each step multiplies the parameter by 1 − lr·decay before the update.
    /// It comes from the config, never from the options a checkpoint loads: a checkpoint written with TorchSharp's AdamW
    /// carries its decay there, which would otherwise be added to the gradient as well.</summary>
    private readonly double _decoupledDecay = decoupled ? weightDecay : 0;

    /// <summary>Whether the loop can take every parameter and its moments: decided at the first step, since neither
    /// changes type, device or layout while training (checking each step cost a dozen native calls a parameter).</summary>
    private bool? _fusable;

    public override Tensor step(Func<Tensor>? closure = null)
    {
        _fusable ??= CanFuse();
        if (_fusable == false) return base.step(closure);
        return _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            var lr = options.LearningRate!.Value;
            foreach (var parameter in group.Parameters)
            {
                var grad = parameter.grad;
                if (grad is null) continue;
                // A gradient has its parameter's type and device; one laid out otherwise is read from a contiguous copy.
                if (!grad.is_contiguous()) grad = grad.contiguous();
                var state = (State)_state[parameter.Handle];
                state.step += 1;
                var coefficients = new AdamCoefficients(options.beta1!.Value, options.beta2!.Value, options.eps!.Value,
                    decoupled ? 0 : options.weight_decay!.Value, lr, _decoupledDecay, state.step);
                Update(parameter, grad, state.exp_avg, state.exp_avg_sq, coefficients);
            }
        }, closure);
    }

    private bool CanFuse() => _parameter_groups.All(group =>
        group.Options is Options { amsgrad: not true, maximize: not true }
        && group.Parameters.All(parameter => _state[parameter.Handle] is State state
            && Fusable(parameter) && Fusable(state.exp_avg) && Fusable(state.exp_avg_sq)));

    private static bool Fusable(Tensor tensor) =>
        tensor.dtype == ScalarType.Float32 && tensor.device_type == TorchSharp.DeviceType.CPU && tensor.is_contiguous();

    /// <summary>One parameter's update, on the calling thread: the step is memory-bound (in a training step its four
    /// tensors come from memory, not cache) and split between two threads it was no faster.</summary>
    private static void Update(Tensor parameter, Tensor grad, Tensor average, Tensor squares, AdamCoefficients c) =>
        c.Apply(Floats(parameter), Floats(grad), Floats(average), Floats(squares));

    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
}

/// <summary>One Adam step's constants for one parameter, and the per-element update that uses them.</summary>
internal readonly struct AdamCoefficients
{
    private readonly float _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _eps, _l2Decay, _keep, _rootCorrection2, _stepSize;

    public AdamCoefficients(double beta1, double beta2, double eps, double l2Decay, double lr, double decoupledDecay, long step)
    {
        _beta1 = (float)beta1;
        _oneMinusBeta1 = (float)(1 - beta1);
        _beta2 = (float)beta2;
        _oneMinusBeta2 = (float)(1 - beta2);
        _eps = (float)eps;
        _l2Decay = (float)l2Decay;
        _keep = (float)(1 - lr * decoupledDecay);
        _rootCorrection2 = (float)Math.Sqrt(1 - Math.Pow(beta2, step));
        _stepSize = (float)(lr / (1 - Math.Pow(beta1, step)));
    }

    /// <summary>p ← p·keep; g ← g + λp (L2); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
    /// p ← p − step·m / (√v / √(1 − β₂ᵗ) + ε), with step = lr / (1 − β₁ᵗ): the order of TorchSharp's operations. The
    /// elements past the last whole vector go through the same code in a zero-padded vector of their own.</summary>
    public void Apply(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v)
    {
        var whole = p.Length - p.Length % Vector<float>.Count;
        Apply(MemoryMarshal.Cast<float, Vector<float>>(p[..whole]), MemoryMarshal.Cast<float, Vector<float>>(g[..whole]),
            MemoryMarshal.Cast<float, Vector<float>>(m[..whole]), MemoryMarshal.Cast<float, Vector<float>>(v[..whole]));
        if (whole == p.Length) return;
        Span<Vector<float>> tail = stackalloc Vector<float>[4];
        tail.Clear();
        var floats = MemoryMarshal.Cast<Vector<float>, float>(tail);
        var (count, width) = (p.Length - whole, Vector<float>.Count);
        p[whole..].CopyTo(floats);
        g[whole..].CopyTo(floats[width..]);
        m[whole..].CopyTo(floats[(2 * width)..]);
        v[whole..].CopyTo(floats[(3 * width)..]);
        Apply(tail[..1], tail[1..2], tail[2..3], tail[3..4]);
        floats[..count].CopyTo(p[whole..]);
        floats.Slice(2 * width, count).CopyTo(m[whole..]);
        floats.Slice(3 * width, count).CopyTo(v[whole..]);
    }

    private void Apply(Span<Vector<float>> p, ReadOnlySpan<Vector<float>> g, Span<Vector<float>> m, Span<Vector<float>> v)
    {
        var beta1 = new Vector<float>(_beta1);
        var oneMinusBeta1 = new Vector<float>(_oneMinusBeta1);
        var beta2 = new Vector<float>(_beta2);
        var oneMinusBeta2 = new Vector<float>(_oneMinusBeta2);
        var eps = new Vector<float>(_eps);
        var l2Decay = new Vector<float>(_l2Decay);
        var keep = new Vector<float>(_keep);
        var rootCorrection2 = new Vector<float>(_rootCorrection2);
        var stepSize = new Vector<float>(_stepSize);
        for (var k = 0; k < p.Length; k++)
        {
            var parameter = p[k] * keep;
            var grad = g[k] + l2Decay * parameter;
            var average = m[k] * beta1 + oneMinusBeta1 * grad;
            var squares = v[k] * beta2 + oneMinusBeta2 * (grad * grad);
            m[k] = average;
            v[k] = squares;
            p[k] = parameter - stepSize * (average / (Vector.SquareRoot(squares) / rootCorrection2 + eps));
        }
    }
}
