using System.Runtime.InteropServices;
using Lathe.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A plain network's forward pass over one row through libtorch's own operations, called by handle: the same
/// <c>linear</c>, <c>relu</c>, <c>conv2d</c>, <c>batch_norm</c> and <c>flatten</c> its modules call, and the same max
/// pooling loop (<see cref="MaxPool"/>), with no managed tensor made per pass. A served request's pass made 1.1 KB (the
/// penguins MLP) to 2.6 KB (the Fashion-MNIST CNN) of TorchSharp tensor objects, every one finalizable, and with the
/// rest of a request allocating almost nothing they were what each gen-0 collection spent its time on (docs/serving.md,
/// "The record path"). The row goes into an input tensor kept for the model, each pooling into an output kept for its
/// layer; the other intermediate results are released by handle. Only the networks <see cref="For"/> accepts get one: an
/// MLP of linear layers, ReLU and dropout, and a CNN of convolutions, batch norm, max pooling and ReLU under such an MLP,
/// with a row small enough to run on one engine thread. Any other runs through its modules. Tests hold the two to the
/// same bits on real rows and pictures.</summary>
public sealed unsafe class HandlePass : IDisposable
{
    private readonly Step[] _steps;
    private readonly Tensor _input;
    private readonly float* _inputData;
    private readonly long _size;
    private readonly long[] _shape;
    private readonly int _outputs;
    // Tensors the pass writes into and keeps: the input and the poolings' outputs. Their handles are never released by a step.
    private readonly Tensor[] _kept;
    // Keeps the module (and so its parameters' storage) alive as long as the pass.
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Lock _lock = new();

    private HandlePass(nn.Module<Tensor, Tensor> model, long[] inputShape, Step[] steps, int outputs)
    {
        _model = model;
        _steps = steps;
        _outputs = outputs;
        // Kept for the pass's lifetime, whatever dispose scope the caller that made it had open.
        _input = zeros([1, .. inputShape]).DetachFromDisposeScope();
        _inputData = (float*)Native.Data(_input.Handle);
        _size = _input.numel();
        _shape = inputShape;
        _kept = [_input, .. steps.OfType<PoolStep>().Select(p => p.Output)];
    }

    /// <summary>The handle pass of <paramref name="model"/> (in evaluation mode) for rows of <paramref name="inputShape"/>
    /// (a table row's width, or an image's channels, height and width), or null where it has none.</summary>
    public static HandlePass? For(nn.Module<Tensor, Tensor> model, long[] inputShape)
    {
        if (model.training || Native.Missing || inputShape.Aggregate(1L, (a, b) => a * b) > Forward.LoneRowSize) return null;
        var steps = new List<Step>();
        var outputs = 0;
        switch (model)
        {
            case Mlp mlp when inputShape.Length == 1:
                if (!Dense(mlp.Layers, steps, ref outputs)) return null;
                break;
            case Cnn cnn when inputShape.Length == 3 && !cnn.Layers.Body:
                var shape = inputShape;
                foreach (var (_, module) in cnn.Layers.Features.named_children())
                {
                    switch (module)
                    {
                        case Conv conv when conv.weight.size(1) == shape[0]:
                            var (stride, padding, dilation) = conv.Geometry;
                            var (kernelHeight, kernelWidth) = (conv.weight.size(2), conv.weight.size(3));
                            shape = [conv.weight.size(0), Side(shape[1], kernelHeight, stride[0], padding[0], dilation[0]), Side(shape[2], kernelWidth, stride[1], padding[1], dilation[1])];
                            steps.Add(new ConvStep(conv.weight.Handle, conv.bias?.Handle ?? IntPtr.Zero, stride, padding, dilation));
                            break;
                        case TorchSharp.Modules.BatchNorm2d norm when norm.running_mean is not null && norm.running_var is not null:
                            steps.Add(new NormStep(norm.running_mean.Handle, norm.running_var.Handle, norm.weight?.Handle ?? IntPtr.Zero, norm.bias?.Handle ?? IntPtr.Zero, norm.momentum ?? 0, norm.eps));
                            break;
                        case MaxPool when shape[1] >= 2 && shape[2] >= 2:
                            steps.Add(new PoolStep((int)shape[0], (int)shape[1], (int)shape[2]));
                            shape = [shape[0], shape[1] / 2, shape[2] / 2];
                            break;
                        case TorchSharp.Modules.ReLU:
                            steps.Add(new ReluStep());
                            break;
                        default:
                            Dispose(steps);
                            return null;
                    }
                }
                if (!Dense(cnn.Layers.Classifier, steps, ref outputs))
                {
                    Dispose(steps);
                    return null;
                }
                break;
            default:
                return null;
        }
        return steps.Count > 0 ? new HandlePass(model, inputShape, [.. steps], outputs) : null;
    }

    private static long Side(long side, long kernel, long stride, long padding, long dilation) => (side + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;

    /// <summary>The steps of a sequence of flatten, linear, ReLU and dropout modules; false for any other.</summary>
    private static bool Dense(nn.Module<Tensor, Tensor> layers, List<Step> steps, ref int outputs)
    {
        foreach (var (_, module) in layers.named_children())
        {
            switch (module)
            {
                case TorchSharp.Modules.Linear linear when linear.bias is not null:
                    steps.Add(new LinearStep(linear.weight!.Handle, linear.bias.Handle));
                    outputs = (int)linear.weight.size(0);
                    break;
                case TorchSharp.Modules.ReLU:
                    steps.Add(new ReluStep());
                    break;
                case TorchSharp.Modules.Flatten flatten:
                    steps.Add(new FlattenStep(flatten.start_dim, flatten.end_dim));
                    break;
                // The identity in evaluation.
                case TorchSharp.Modules.Dropout:
                    break;
                default:
                    return false;
            }
        }
        return steps.LastOrDefault() is LinearStep;
    }

    private static void Dispose(IEnumerable<Step> steps)
    {
        foreach (var step in steps) step.Free();
    }

    /// <summary>Whether <paramref name="features"/> is one row of the shape this pass was made for.</summary>
    public bool Fits(Features features) => features.Rows == 1 && features.ItemShape.SequenceEqual(_shape) && (features.Values?.Length ?? features.Pixels!.Length) == _size;

    /// <summary>The outputs of the one row in <paramref name="features"/>, or null when another pass holds this one (the
    /// caller then runs the modules).</summary>
    public float[]? Outputs(Features features)
    {
        if (!Fits(features))
            throw new ArgumentException($"one row of {string.Join("×", _shape)} values, not {features.Rows} of {string.Join("×", features.ItemShape)}", nameof(features));
        if (!_lock.TryEnter()) return null;
        var grad = Native.IsGradEnabled();
        if (grad) Native.SetGrad(false);
        // A lone row runs on one engine thread, as Forward.Outputs runs it.
        var threads = get_num_threads();
        if (threads > 1) set_num_threads(1);
        var x = IntPtr.Zero;
        try
        {
            var input = new Span<float>(_inputData, (int)_size);
            if (features.Values is { } values) values.AsSpan(0, (int)_size).CopyTo(input);
            else
            {
                // As InputTensor readies a picture: to float32, times the scale, plus the shift, each rounded to float32.
                var (pixels, scale, shift) = (features.Pixels!, features.Scale, features.Shift);
                for (var i = 0; i < input.Length; i++) input[i] = (float)pixels[i] * scale + shift;
            }
            x = _input.Handle;
            foreach (var step in _steps)
            {
                var next = Check(step.Run(x));
                Release(ref x);
                x = next;
            }
            var outputs = new float[_outputs];
            new ReadOnlySpan<float>((void*)Native.Data(x), _outputs).CopyTo(outputs);
            return outputs;
        }
        finally
        {
            Release(ref x);
            if (threads > 1) set_num_threads(threads);
            if (grad) Native.SetGrad(true);
            _lock.Exit();
        }
    }

    /// <summary>Releases an intermediate result's handle; a kept tensor's is not released.</summary>
    private void Release(ref IntPtr handle)
    {
        var released = handle;
        handle = IntPtr.Zero;
        if (released == IntPtr.Zero) return;
        foreach (var kept in _kept)
            if (kept.Handle == released) return;
        Native.Dispose(released);
    }

    private static IntPtr Check(IntPtr handle)
    {
        if (handle != IntPtr.Zero) return handle;
        var error = Native.LastError();
        throw new InvalidOperationException(error == IntPtr.Zero ? "a libtorch operation failed" : Marshal.PtrToStringAnsi(error));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _input.Dispose();
        Dispose(_steps);
    }

    private int _disposed;

    /// <summary>One module's operation on the handle of its input; a new handle, or a kept tensor's.</summary>
    private abstract class Step
    {
        public abstract IntPtr Run(IntPtr input);

        /// <summary>Lets go of what the step holds of its own.</summary>
        public virtual void Free() { }
    }

    private sealed class LinearStep(IntPtr weight, IntPtr bias) : Step
    {
        public override IntPtr Run(IntPtr input) => Native.Linear(input, weight, bias);
    }

    private sealed class ReluStep : Step
    {
        public override IntPtr Run(IntPtr input) => Native.Relu(input);
    }

    private sealed class FlattenStep(long start, long end) : Step
    {
        public override IntPtr Run(IntPtr input) => Native.Flatten(input, start, end);
    }

    /// <summary><c>nn.functional.conv2d</c> as <see cref="Conv"/> calls it without a gradient: its stride, padding and dilation, one group.</summary>
    private sealed class ConvStep : Step
    {
        private readonly IntPtr _weight, _bias;
        // Three pairs of longs, held for the pass's lifetime in memory of its own.
        private readonly long* _geometry;

        public ConvStep(IntPtr weight, IntPtr bias, long[] stride, long[] padding, long[] dilation)
        {
            if (stride.Length != 2 || padding.Length != 2 || dilation.Length != 2) throw new ArgumentException("a 2-D convolution's stride, padding and dilation are pairs");
            (_weight, _bias) = (weight, bias);
            _geometry = (long*)NativeMemory.Alloc(6, sizeof(long));
            new long[] { stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1] }.CopyTo(new Span<long>(_geometry, 6));
        }

        public override IntPtr Run(IntPtr input) =>
            Native.Conv2d(input, _weight, _bias, (IntPtr)_geometry, 2, (IntPtr)(_geometry + 2), 2, (IntPtr)(_geometry + 4), 2, 1);

        public override void Free() => NativeMemory.Free(_geometry);
    }

    /// <summary><c>batch_norm</c> as TorchSharp's BatchNorm2d calls it in evaluation: the running statistics, not training.</summary>
    private sealed class NormStep(IntPtr mean, IntPtr variance, IntPtr weight, IntPtr bias, double momentum, double eps) : Step
    {
        public override IntPtr Run(IntPtr input) => Native.BatchNorm(input, mean, variance, weight, bias, false, momentum, eps);
    }

    /// <summary>2×2 max pooling by <see cref="MaxPool"/>'s own loop (its pass without a gradient on one thread), into an output kept for the layer.</summary>
    private sealed class PoolStep : Step
    {
        private readonly int _planes, _height, _width;

        public PoolStep(int planes, int height, int width)
        {
            (_planes, _height, _width) = (planes, height, width);
            Output = empty(1, planes, height / 2, width / 2).DetachFromDisposeScope();
        }

        public Tensor Output { get; }

        public override void Free() => Output.Dispose();

        public override IntPtr Run(IntPtr input)
        {
            var size = _planes * _height * _width;
            if (Native.Numel(input) != size) throw new InvalidOperationException($"max pooling expected {size} values");
            var outputs = _planes * (_height / 2) * (_width / 2);
            var winners = System.Buffers.ArrayPool<byte>.Shared.Rent(outputs);
            MaxPool.Pooling.Forward(new ReadOnlySpan<float>((void*)Native.Data(input), size), new Span<float>((void*)Native.Data(Output.Handle), outputs),
                winners, _planes, _height, _width);
            System.Buffers.ArrayPool<byte>.Shared.Return(winners);
            return Output.Handle;
        }
    }

    /// <summary>TorchSharp's native library's exports, found as its own assembly finds them.</summary>
    private static class Native
    {
        public static readonly bool Missing;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr> Linear;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> Relu;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long, long, IntPtr> Flatten;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr, int, IntPtr, int, IntPtr, int, long, IntPtr> Conv2d;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, byte, double, double, IntPtr> BatchNormFunction;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> Data;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long> Numel;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, void> Dispose;
        public static readonly delegate* unmanaged[Cdecl]<byte, void> SetGradFunction;
        public static readonly delegate* unmanaged[Cdecl]<byte> IsGradEnabledFunction;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr> LastError;

        public static IntPtr BatchNorm(IntPtr input, IntPtr mean, IntPtr variance, IntPtr weight, IntPtr bias, bool training, double momentum, double eps) =>
            BatchNormFunction(input, mean, variance, weight, bias, training ? (byte)1 : (byte)0, momentum, eps);

        public static void SetGrad(bool enabled) => SetGradFunction(enabled ? (byte)1 : (byte)0);

        public static bool IsGradEnabled() => IsGradEnabledFunction() != 0;

        static Native()
        {
            Engine.TorchRuntime.Start();
            if (!NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out var library))
            {
                Missing = true;
                return;
            }
            var missing = false;
            IntPtr Export(string name)
            {
                if (NativeLibrary.TryGetExport(library, name, out var function)) return function;
                missing = true;
                return IntPtr.Zero;
            }
            Linear = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr>)Export("THSNN_functional_linear");
            Relu = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Export("THSTensor_relu");
            Flatten = (delegate* unmanaged[Cdecl]<IntPtr, long, long, IntPtr>)Export("THSTensor_flatten");
            Conv2d = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr, int, IntPtr, int, IntPtr, int, long, IntPtr>)Export("THSTensor_conv2d");
            BatchNormFunction = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, byte, double, double, IntPtr>)Export("THSNN_batch_norm");
            Data = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Export("THSTensor_data");
            Numel = (delegate* unmanaged[Cdecl]<IntPtr, long>)Export("THSTensor_numel");
            Dispose = (delegate* unmanaged[Cdecl]<IntPtr, void>)Export("THSTensor_dispose");
            SetGradFunction = (delegate* unmanaged[Cdecl]<byte, void>)Export("THSAutograd_setGrad");
            IsGradEnabledFunction = (delegate* unmanaged[Cdecl]<byte>)Export("THSAutograd_isGradEnabled");
            LastError = (delegate* unmanaged[Cdecl]<IntPtr>)Export("THSTorch_get_and_reset_last_err");
            Missing = missing;
        }
    }
}
