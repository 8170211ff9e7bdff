using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>Adam with each parameter's update done in one pass over its memory. TorchSharp's <c>step</c> (like PyTorch's
/// single-tensor Adam on a CPU) runs about ten tensor operations per parameter, each a native call and a full pass over
/// the parameter's size; here the moments, the bias-corrected denominator and the parameter are updated element by
/// element in one vectorised loop over the four tensors' own memory. The state is TorchSharp's own (<c>exp_avg</c>,
/// <c>exp_avg_sq</c>, <c>step</c>), so checkpoints save and load as before; a parameter the loop cannot take (not
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

    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (!CanFuse()) return base.step(closure);
        return _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            var lr = options.LearningRate!.Value;
            foreach (var parameter in group.Parameters)
            {
                var grad = parameter.grad;
                if (grad is null) continue;
                var state = (State)_state[parameter.Handle];
                state.step += 1;
                var coefficients = new AdamCoefficients(options.beta1!.Value, options.beta2!.Value, options.eps!.Value,
                    decoupled ? 0 : options.weight_decay!.Value, lr, _decoupledDecay, state.step);
                Update(parameter, grad, state.exp_avg, state.exp_avg_sq, coefficients);
            }
        }, closure);
    }

    private bool CanFuse()
    {
        foreach (var group in _parameter_groups)
        {
            var options = (Options)group.Options;
            if (options.amsgrad == true || options.maximize == true) return false;
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                if (!Fusable(parameter) || !Fusable(state.exp_avg) || !Fusable(state.exp_avg_sq)) return false;
                using var grad = parameter.grad;
                if (grad is not null && !Fusable(grad)) return false;
            }
        }
        return true;
    }

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
    /// p ← p − step·m / (√v / √(1 − β₂ᵗ) + ε), with step = lr / (1 − β₁ᵗ): the order of TorchSharp's operations.</summary>
    public void Apply(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<float>.Count)
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
            var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            for (var k = 0; k < pv.Length; k++)
            {
                var parameter = pv[k] * keep;
                var grad = gv[k] + l2Decay * parameter;
                var average = mv[k] * beta1 + oneMinusBeta1 * grad;
                var squares = vv[k] * beta2 + oneMinusBeta2 * (grad * grad);
                mv[k] = average;
                vv[k] = squares;
                pv[k] = parameter - stepSize * (average / (Vector.SquareRoot(squares) / rootCorrection2 + eps));
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < p.Length; i++)
        {
            var parameter = p[i] * _keep;
            var grad = g[i] + _l2Decay * parameter;
            var average = m[i] * _beta1 + _oneMinusBeta1 * grad;
            var squares = v[i] * _beta2 + _oneMinusBeta2 * (grad * grad);
            m[i] = average;
            v[i] = squares;
            p[i] = parameter - _stepSize * (average / (MathF.Sqrt(squares) / _rootCorrection2 + _eps));
        }
    }
}
