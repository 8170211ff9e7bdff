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
/// MLP of linear layers, any of <see cref="Activation"/>'s activations, batch or layer norm, dropout and residual blocks (or the
/// parameter-efficient ensemble of such layers, with a number embedding first), the embedding network of numbers and
/// categories under such an MLP, a CNN of convolutions, batch norm, max pooling and ReLU under such an MLP, and the
/// residual CNN (its blocks, global average pooling, its head), with a row small enough to run on one engine thread. Any other runs through
/// its modules. Tests hold the two to the same bits on real rows and pictures.</summary>
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
        _kept = [_input, .. steps.Select(s => s.Kept).OfType<Tensor>()];
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
                if (!Dense(mlp.Layers, steps, ref outputs))
                {
                    // An ensemble's steps hold views and memory of their own, made before a later layer was declined.
                    Dispose(steps);
                    return null;
                }
                break;
            case TabularNet tabular when inputShape.Length == 1 && tabular.NoText && FuseStep.For(tabular, inputShape[0]) is { } fuse:
                steps.Add(fuse);
                if (!Dense(tabular.Network.Layers, steps, ref outputs))
                {
                    Dispose(steps);
                    return null;
                }
                break;
            case Cnn cnn when inputShape.Length == 3 && !cnn.Layers.Body:
                var shape = inputShape;
                if (!Convolutions(cnn.Layers.Features, ref shape, steps) || !Dense(cnn.Layers.Classifier, steps, ref outputs))
                {
                    Dispose(steps);
                    return null;
                }
                break;
            case ResNet resnet when inputShape.Length == 3 && resnet.Layers.Classifier is { } head:
                var side = inputShape;
                if (!Convolutions(resnet.Layers.Features, ref side, steps) || side.Length != 1 || !Dense(head, steps, ref outputs))
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

    /// <summary>The steps of a sequence of convolution, batch norm, max pooling, ReLU, residual-block, global average pooling
    /// and flatten modules on pictures of <paramref name="shape"/> (channels, height, width), which becomes the shape they
    /// leave; false at the first module without one.</summary>
    private static bool Convolutions(nn.Module<Tensor, Tensor> layers, ref long[] shape, List<Step> steps)
    {
        foreach (var (_, module) in layers.named_children())
        {
            switch (module)
            {
                case Conv conv when shape.Length == 3 && conv.weight.size(1) == shape[0]:
                    var (stride, padding, dilation) = conv.Geometry;
                    var (kernelHeight, kernelWidth) = (conv.weight.size(2), conv.weight.size(3));
                    shape = [conv.weight.size(0), Side(shape[1], kernelHeight, stride[0], padding[0], dilation[0]), Side(shape[2], kernelWidth, stride[1], padding[1], dilation[1])];
                    steps.Add(new ConvStep(conv.weight.Handle, conv.bias?.Handle ?? IntPtr.Zero, stride, padding, dilation));
                    break;
                case TorchSharp.Modules.BatchNorm2d norm when norm.running_mean is not null && norm.running_var is not null:
                    steps.Add(new NormStep(norm.running_mean.Handle, norm.running_var.Handle, norm.weight?.Handle ?? IntPtr.Zero, norm.bias?.Handle ?? IntPtr.Zero, norm.momentum ?? 0, norm.eps));
                    break;
                case MaxPool when shape.Length == 3 && shape[1] >= 2 && shape[2] >= 2:
                    steps.Add(new PoolStep((int)shape[0], (int)shape[1], (int)shape[2]));
                    shape = [shape[0], shape[1] / 2, shape[2] / 2];
                    break;
                case TorchSharp.Modules.ReLU:
                    steps.Add(new ReluStep());
                    break;
                case ResidualConv block when shape.Length == 3:
                    var (body, shortcut) = (new List<Step>(), new List<Step>());
                    var (bodyShape, shortcutShape) = (shape, shape);
                    if (!Convolutions(block.Body, ref bodyShape, body) || block.Shortcut is { } projection && !Convolutions(projection, ref shortcutShape, shortcut)
                        || !bodyShape.SequenceEqual(shortcutShape))
                    {
                        Dispose(body);
                        Dispose(shortcut);
                        return false;
                    }
                    steps.Add(new ResidualStep([.. body], [.. shortcut], relu: true));
                    shape = bodyShape;
                    break;
                case TorchSharp.Modules.AdaptiveAvgPool2d pool when shape.Length == 3 && pool.output_size is [1, 1]:
                    steps.Add(new AveragePoolStep());
                    shape = [shape[0], 1, 1];
                    break;
                case TorchSharp.Modules.Flatten { start_dim: 1, end_dim: -1 } flatten:
                    steps.Add(new FlattenStep(flatten.start_dim, flatten.end_dim));
                    shape = [shape.Aggregate(1L, (a, b) => a * b)];
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private static long Side(long side, long kernel, long stride, long padding, long dilation) => (side + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;

    /// <summary>The steps of a sequence of flatten, linear, activation, norm, dropout and residual-block modules ending in a
    /// linear head, or of a parameter-efficient ensemble's (a number embedding first, the members' shared layers, their
    /// heads); false for any other.</summary>
    private static bool Dense(nn.Module<Tensor, Tensor> layers, List<Step> steps, ref int outputs) =>
        Layers(layers, steps, ref outputs) && steps.LastOrDefault() is LinearStep or EnsembleHeadStep;

    /// <summary>The steps of <paramref name="layers"/>' modules in order, added to <paramref name="steps"/>; false at the
    /// first module without one.</summary>
    private static bool Layers(nn.Module<Tensor, Tensor> layers, List<Step> steps, ref int outputs)
    {
        // Whether the rows have become the members' rows, [1, members, width].
        var members = false;
        var start = steps.Count;
        foreach (var (_, module) in layers.named_children())
        {
            switch (module)
            {
                case NumberEmbedding numbers when steps.Count == start:
                    steps.Add(new NumberEmbeddingStep(numbers));
                    break;
                case EnsembleLinear linear:
                    steps.Add(new EnsembleLinearStep(linear, unsqueeze: !members));
                    members = true;
                    break;
                case EnsembleHead head when members && head.Agreement is EnsembleMean.Probabilities or EnsembleMean.Values or EnsembleMean.LabelProbabilities:
                    steps.Add(new EnsembleHeadStep(head));
                    outputs = (int)head.weight.size(1);
                    break;
                case TorchSharp.Modules.Linear linear when linear.bias is not null:
                    steps.Add(new LinearStep(linear.weight!.Handle, linear.bias.Handle));
                    outputs = (int)linear.weight.size(0);
                    break;
                case TorchSharp.Modules.ReLU:
                    steps.Add(new ReluStep());
                    break;
                case TorchSharp.Modules.GELU { approximate: TorchSharp.Modules.GELU.Approximate.none }:
                    steps.Add(new GeluStep());
                    break;
                case TorchSharp.Modules.SiLU:
                    steps.Add(new SiluStep());
                    break;
                case TorchSharp.Modules.Tanh:
                    steps.Add(new TanhStep());
                    break;
                case TorchSharp.Modules.LeakyReLU leaky:
                    steps.Add(new LeakyReluStep(leaky.negative_slope));
                    break;
                // Batch norm in evaluation, on a row of one layer's outputs (an ensemble's members refuse it, Mlp).
                case TorchSharp.Modules.BatchNorm1d norm when !members && norm.running_mean is not null && norm.running_var is not null:
                    steps.Add(new NormStep(norm.running_mean.Handle, norm.running_var.Handle, norm.weight?.Handle ?? IntPtr.Zero, norm.bias?.Handle ?? IntPtr.Zero, norm.momentum ?? 0, norm.eps));
                    break;
                case TorchSharp.Modules.LayerNorm norm:
                    steps.Add(new LayerNormStep(norm));
                    break;
                case TorchSharp.Modules.Flatten flatten:
                    steps.Add(new FlattenStep(flatten.start_dim, flatten.end_dim));
                    break;
                // The identity in evaluation.
                case TorchSharp.Modules.Dropout:
                    break;
                case ResidualDense block when !members && block.Projection?.bias is null:
                    var body = new List<Step>();
                    var width = 0;
                    if (!Layers(block.Body, body, ref width))
                    {
                        Dispose(body);
                        return false;
                    }
                    steps.Add(new ResidualStep([.. body], block.Projection is { } projection ? [new LinearStep(projection.weight!.Handle, IntPtr.Zero)] : [], relu: false));
                    break;
                default:
                    return false;
            }
        }
        return true;
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

    /// <summary>After an in-place operation, which returns nothing: throws with libtorch's error if it set one.</summary>
    private static void CheckInPlace()
    {
        var error = Native.LastError();
        if (error != IntPtr.Zero) throw new InvalidOperationException(Marshal.PtrToStringAnsi(error));
    }

    /// <summary>A step's intermediate results, one after another: each operation's result replaces the last, which is
    /// released (the step's input is the caller's and is not). <see cref="Take"/> hands the last out; <see cref="Free"/>
    /// releases what is left when a step fails part way.</summary>
    private ref struct Chain(IntPtr input)
    {
        private readonly IntPtr _input = input;
        private IntPtr _current = input;

        public readonly IntPtr Current => _current;

        public void Next(IntPtr result)
        {
            if (result == IntPtr.Zero)
            {
                Free();
                Check(result);
            }
            if (_current != _input) Native.Dispose(_current);
            _current = result;
        }

        public IntPtr Take()
        {
            var result = _current;
            _current = _input;
            return result;
        }

        public void Free()
        {
            if (_current != _input) Native.Dispose(_current);
            _current = _input;
        }
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

        /// <summary>The tensor the step writes its output into and keeps, whose handle the pass never releases; null for a
        /// step whose every output is new.</summary>
        public virtual Tensor? Kept => null;
    }

    private sealed class LinearStep(IntPtr weight, IntPtr bias) : Step
    {
        public override IntPtr Run(IntPtr input) => Native.Linear(input, weight, bias);
    }

    private sealed class ReluStep : Step
    {
        public override IntPtr Run(IntPtr input) => Native.Relu(input);
    }

    /// <summary>GELU without the tanh approximation, as <c>nn.GELU()</c> calls it: <c>gelu</c> with the approximation named "none".</summary>
    private sealed class GeluStep : Step
    {
        public override IntPtr Run(IntPtr input) => Native.Gelu(input, Native.NoApproximation);
    }

    private sealed class SiluStep : Step
    {
        public override IntPtr Run(IntPtr input) => Native.Silu(input);
    }

    private sealed class TanhStep : Step
    {
        public override IntPtr Run(IntPtr input) => Native.Tanh(input);
    }

    /// <summary><c>leaky_relu</c> with the module's slope, a double scalar as TorchSharp makes it from the module's double.</summary>
    private sealed class LeakyReluStep(double slope) : Step
    {
        private readonly IntPtr _slope = Check(Native.Float64Scalar(slope));

        public override IntPtr Run(IntPtr input) => Native.LeakyRelu(input, _slope);

        public override void Free() => Native.DisposeScalar(_slope);
    }

    /// <summary><c>layer_norm</c> as <c>nn.LayerNorm</c> calls it: over its normalised shape, with its weight, bias and epsilon.</summary>
    private sealed class LayerNormStep : Step
    {
        private readonly IntPtr _weight, _bias;
        private readonly double _eps;
        private readonly long* _shape;
        private readonly int _rank;

        public LayerNormStep(TorchSharp.Modules.LayerNorm norm)
        {
            (_weight, _bias, _eps) = (norm.elementwise_affine ? norm.weight.Handle : IntPtr.Zero, norm.bias?.Handle ?? IntPtr.Zero, norm.eps);
            _rank = norm.normalized_shape.Length;
            _shape = (long*)NativeMemory.Alloc((nuint)Math.Max(1, _rank), sizeof(long));
            norm.normalized_shape.CopyTo(new Span<long>(_shape, _rank));
        }

        public override IntPtr Run(IntPtr input) => Native.LayerNorm(input, _shape, _rank, _weight, _bias, _eps);

        public override void Free() => NativeMemory.Free(_shape);
    }

    /// <summary>A residual block's forward (<see cref="ResidualDense"/>, <see cref="ResidualConv"/>): its layers' steps on the
    /// input, then the shortcut added in place — the input itself, or what the shortcut's steps make of it (a bias-free
    /// projection; a 1×1 convolution and norm) — and for a convolution block ReLU in place.</summary>
    private sealed class ResidualStep(Step[] body, Step[] shortcut, bool relu) : Step
    {
        public override IntPtr Run(IntPtr input)
        {
            var chain = new Chain(input);
            var identity = new Chain(input);
            try
            {
                foreach (var step in body) chain.Next(step.Run(chain.Current));
                if (chain.Current == input) throw new InvalidOperationException("a residual block without layers");
                foreach (var step in shortcut) identity.Next(step.Run(identity.Current));
                Native.AddInPlace(chain.Current, identity.Current, Native.One);
                CheckInPlace();
                if (relu)
                {
                    Native.ReluInPlace(chain.Current);
                    CheckInPlace();
                }
                return chain.Take();
            }
            finally
            {
                identity.Free();
                chain.Free();
            }
        }

        public override void Free()
        {
            Dispose(body);
            Dispose(shortcut);
        }
    }

    /// <summary><c>adaptive_avg_pool2d</c> to one value per channel, as <c>nn.AdaptiveAvgPool2d(1)</c> calls it.</summary>
    private sealed class AveragePoolStep : Step
    {
        // The output size [1, 1], in memory of the step's own.
        private readonly long* _size;

        public AveragePoolStep()
        {
            _size = (long*)NativeMemory.Alloc(2, sizeof(long));
            _size[0] = _size[1] = 1;
        }

        public override IntPtr Run(IntPtr input) => Native.AdaptiveAveragePool(input, (IntPtr)_size, 2);

        public override void Free() => NativeMemory.Free(_size);
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

        public override Tensor? Kept => Output;

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

    /// <summary><see cref="TabularNet"/>'s fusion of a row of numbers, category codes and pictures into an output kept for
    /// the model, as <c>cat</c> joins them: the numbers as they are, then each code's row of its embedding's weights (the
    /// lookup the module makes: a copy, so the same bits), then each picture's body run by handle on its pixels.</summary>
    private sealed class FuseStep : Step
    {
        private readonly int _numbers, _width, _size;
        private readonly Tensor[] _weights;
        private readonly int[] _widths;
        private readonly long[] _cardinalities;
        private readonly Picture[] _pictures;

        private FuseStep(int numbers, Tensor[] weights, Picture[] pictures, int size)
        {
            (_numbers, _weights, _pictures, _size) = (numbers, weights, pictures, size);
            _widths = [.. weights.Select(w => (int)w.size(1))];
            _cardinalities = [.. weights.Select(w => w.size(0))];
            _width = numbers + _widths.Sum() + pictures.Sum(p => p.Width);
            Output = empty(1, _width).DetachFromDisposeScope();
        }

        /// <summary>The step for a network whose row is <paramref name="size"/> values of numbers, codes and pictures' pixels,
        /// or null where its weights are not plain float32 rows in order or a picture's body has no handle pass.</summary>
        public static FuseStep? For(TabularNet tabular, long size)
        {
            var layout = tabular.Layout;
            if (size != layout.Width || layout.CategoricalStart != layout.Numeric || layout.Texts.Count > 0) return null;
            var weights = tabular.Embeddings.Select(e => e.weight!).ToArray();
            if (weights.Any(w => w.dim() != 2 || w.dtype != ScalarType.Float32 || !w.is_contiguous())) return null;
            var pictures = new List<Picture>();
            var offsets = layout.ImageOffsets();
            for (var i = 0; i < layout.Images.Count; i++)
            {
                if (Picture.For(tabular.Pictures[i], layout.Images[i], offsets[i]) is not { } picture)
                {
                    foreach (var made in pictures) made.Free();
                    return null;
                }
                pictures.Add(picture);
            }
            return new FuseStep(layout.Numeric, weights, [.. pictures], (int)size);
        }

        public Tensor Output { get; }

        public override Tensor? Kept => Output;

        public override void Free()
        {
            Output.Dispose();
            foreach (var picture in _pictures) picture.Free();
        }

        public override IntPtr Run(IntPtr input)
        {
            var row = new ReadOnlySpan<float>((void*)Native.Data(input), _size);
            var fused = new Span<float>((void*)Native.Data(Output.Handle), _width);
            row[.._numbers].CopyTo(fused);
            var at = _numbers;
            for (var c = 0; c < _weights.Length; c++)
            {
                // The module casts the code to int64, as here, and an embedding refuses a code outside its rows.
                var code = (long)row[_numbers + c];
                if (code < 0 || code >= _cardinalities[c]) throw new InvalidOperationException($"category code {code} is outside embedding {c}'s {_cardinalities[c]} rows");
                new ReadOnlySpan<float>((float*)Native.Data(_weights[c].Handle) + code * _widths[c], _widths[c]).CopyTo(fused.Slice(at, _widths[c]));
                at += _widths[c];
            }
            foreach (var picture in _pictures)
            {
                picture.Encode(row, fused.Slice(at, picture.Width));
                at += picture.Width;
            }
            return Output.Handle;
        }
    }

    /// <summary>A picture's body beside the columns (a <see cref="Cnn"/> or <see cref="ResNet"/> without its head), run by handle
    /// on the picture's pixels in the row, as the module runs on the row narrowed to them and viewed as [1, channels, height,
    /// width]: the pixels copied into an input kept for the body, its steps, and its output vector copied out.</summary>
    private sealed class Picture
    {
        private readonly Tensor _input;
        private readonly Step[] _steps;
        private readonly int _offset, _size;
        private readonly IntPtr[] _kept;

        private Picture(ImageInput image, int offset, Step[] steps, int width)
        {
            (_offset, _size, _steps, Width) = (offset, image.Size, steps, width);
            _input = zeros(1, image.Channels, image.Height, image.Width).DetachFromDisposeScope();
            _kept = [_input.Handle, .. steps.Select(s => s.Kept?.Handle).OfType<IntPtr>()];
        }

        /// <summary>The values the body gives a picture.</summary>
        public int Width { get; }

        /// <summary>The pass of <paramref name="body"/> on the picture <paramref name="image"/> whose pixels start at
        /// <paramref name="offset"/> in the row; null where a module of the body has none.</summary>
        public static Picture? For(nn.Module<Tensor, Tensor> body, ImageInput image, int offset)
        {
            var steps = new List<Step>();
            long[] shape = [image.Channels, image.Height, image.Width];
            var width = 0;
            var made = body switch
            {
                Cnn cnn when cnn.Layers.Body => Convolutions(cnn.Layers.Features, ref shape, steps) && Layers(cnn.Layers.Classifier, steps, ref width) && width == cnn.Width,
                ResNet resnet when resnet.Layers.Classifier is null => Convolutions(resnet.Layers.Features, ref shape, steps) && shape is [var pooled] && (width = (int)pooled) == resnet.Width,
                _ => false,
            };
            if (made && steps.Count > 0) return new Picture(image, offset, [.. steps], width);
            Dispose(steps);
            return null;
        }

        /// <summary>Runs the body on the picture's pixels in <paramref name="row"/> and writes its vector into <paramref name="into"/>.</summary>
        public void Encode(ReadOnlySpan<float> row, Span<float> into)
        {
            row.Slice(_offset, _size).CopyTo(new Span<float>((void*)Native.Data(_input.Handle), _size));
            var x = _input.Handle;
            try
            {
                foreach (var step in _steps)
                {
                    var next = Check(step.Run(x));
                    Release(ref x);
                    x = next;
                }
                if (Native.Numel(x) != into.Length) throw new InvalidOperationException($"a picture's body gave {Native.Numel(x)} values for {into.Length}");
                new ReadOnlySpan<float>((void*)Native.Data(x), into.Length).CopyTo(into);
            }
            finally
            {
                Release(ref x);
            }
        }

        /// <summary>Releases an intermediate result's handle; the input's and the poolings' outputs are kept.</summary>
        private void Release(ref IntPtr handle)
        {
            var released = handle;
            handle = IntPtr.Zero;
            if (released != IntPtr.Zero && Array.IndexOf(_kept, released) < 0) Native.Dispose(released);
        }

        public void Free()
        {
            _input.Dispose();
            Dispose(_steps);
        }
    }

    /// <summary><see cref="NumberEmbedding"/>'s forward on one row, operation for operation: the row padded with a zero,
    /// each number's bins picked and viewed as [numbers, 1, most bins], one batched product with the weights (a view
    /// transposed once, as the module transposes it on every pass), the bias added, ReLU, and the passed columns in front.</summary>
    private sealed class NumberEmbeddingStep : Step
    {
        private readonly Tensor _weights, _bias;
        private readonly IntPtr _picked, _passed;
        // The pad [0, 1], the view [1, numbers, -1] and the shape [1, numbers · width], in memory of the step's own.
        private readonly long* _shapes;

        public NumberEmbeddingStep(NumberEmbedding numbers)
        {
            _weights = numbers.weight.transpose(1, 2).DetachFromDisposeScope();
            _bias = numbers.bias.unsqueeze(1).DetachFromDisposeScope();
            (_picked, _passed) = (numbers.Picked.Handle, numbers.Passed?.Handle ?? IntPtr.Zero);
            _shapes = (long*)NativeMemory.Alloc(7, sizeof(long));
            new long[] { 0, 1, 1, numbers.Bins.Count, -1, 1, numbers.Bins.Count * (long)numbers.Width }.CopyTo(new Span<long>(_shapes, 7));
        }

        public override IntPtr Run(IntPtr input)
        {
            var chain = new Chain(input);
            try
            {
                chain.Next(Native.Pad(input, (IntPtr)_shapes, 2, (byte)PaddingModes.Constant, 0.0));
                chain.Next(Native.IndexSelect(chain.Current, 1, _picked));
                chain.Next(Native.View(chain.Current, (IntPtr)(_shapes + 2), 3));
                chain.Next(Native.Transpose(chain.Current, 0, 1));
                chain.Next(Native.Bmm(chain.Current, _weights.Handle));
                Native.AddInPlace(chain.Current, _bias.Handle, Native.One);
                CheckInPlace();
                Native.ReluInPlace(chain.Current);
                CheckInPlace();
                chain.Next(Native.Transpose(chain.Current, 0, 1));
                chain.Next(Native.Reshape(chain.Current, (IntPtr)(_shapes + 5), 2));
                if (_passed == IntPtr.Zero) return chain.Take();
                var parts = stackalloc IntPtr[2];
                parts[0] = Check(Native.IndexSelect(input, 1, _passed));
                parts[1] = chain.Current;
                var joined = Native.Cat((IntPtr)parts, 2, 1);
                Native.Dispose(parts[0]);
                chain.Next(joined);
                return chain.Take();
            }
            finally
            {
                chain.Free();
            }
        }

        public override void Free()
        {
            _weights.Dispose();
            _bias.Dispose();
            NativeMemory.Free(_shapes);
        }
    }

    /// <summary><see cref="EnsembleLinear"/>'s forward: the row as every member's (unsqueezed, when it is not yet), times
    /// the members' input scales, through the shared weight, times their output scales, plus their biases.</summary>
    private sealed class EnsembleLinearStep(EnsembleLinear linear, bool unsqueeze) : Step
    {
        public override IntPtr Run(IntPtr input)
        {
            var chain = new Chain(input);
            try
            {
                if (unsqueeze) chain.Next(Native.Unsqueeze(input, 1));
                chain.Next(Native.Mul(chain.Current, linear.input_scale.Handle));
                chain.Next(Native.Linear(chain.Current, linear.weight.Handle, IntPtr.Zero));
                Native.MulInPlace(chain.Current, linear.output_scale.Handle);
                CheckInPlace();
                Native.AddInPlace(chain.Current, linear.bias.Handle, Native.One);
                CheckInPlace();
                return chain.Take();
            }
            finally
            {
                chain.Free();
            }
        }
    }

    /// <summary><see cref="EnsembleHead"/>'s forward in evaluation: each member's head (one batched product with the
    /// weights transposed once), plus the biases, then the log of the members' mean probability (log-softmax, log-sum-exp
    /// over the members, minus log k) or their mean value.</summary>
    private sealed class EnsembleHeadStep : Step
    {
        private readonly EnsembleHead _head;
        private readonly Tensor _weights;
        // log k, as the module makes it (a double), held by handle.
        private readonly IntPtr _logMembers;
        // The dimension the mean of values is taken over, [1], in memory of the step's own.
        private readonly long* _members;

        public EnsembleHeadStep(EnsembleHead head)
        {
            _head = head;
            _weights = head.weight.transpose(1, 2).DetachFromDisposeScope();
            _logMembers = Check(Native.Float64Scalar(Math.Log((int)head.weight.size(0))));
            _members = (long*)NativeMemory.Alloc(1, sizeof(long));
            *_members = 1;
        }

        public override IntPtr Run(IntPtr input)
        {
            var chain = new Chain(input);
            try
            {
                chain.Next(Native.Transpose(input, 0, 1));
                chain.Next(Native.Bmm(chain.Current, _weights.Handle));
                chain.Next(Native.Transpose(chain.Current, 0, 1));
                chain.Next(Native.Add(chain.Current, _head.bias.Handle, Native.One));
                if (_head.Agreement == EnsembleMean.Values)
                {
                    chain.Next(Native.MeanAlong(chain.Current, (IntPtr)_members, 1, 0, 0, 0));
                    return chain.Take();
                }
                if (_head.Agreement == EnsembleMean.LabelProbabilities) return LabelLogits(ref chain);
                chain.Next(Native.LogSoftmax(chain.Current, 2, (sbyte)ScalarType.Float32));
                chain.Next(Native.LogSumExp(chain.Current, 1, 0));
                Native.SubScalarInPlace(chain.Current, _logMembers);
                CheckInPlace();
                return chain.Take();
            }
            finally
            {
                chain.Free();
            }
        }

        /// <summary>Several labels' agreement: logsumexp over the members of logsigmoid(outputs), minus the same of
        /// logsigmoid(−outputs), in the module's order of operations.</summary>
        private static IntPtr LabelLogits(ref Chain chain)
        {
            var outputs = chain.Current;
            IntPtr yes = IntPtr.Zero, negated = IntPtr.Zero, no = IntPtr.Zero;
            try
            {
                var logs = Check(Native.LogSigmoid(outputs));
                yes = Native.LogSumExp(logs, 1, 0);
                Native.Dispose(logs);
                Check(yes);
                negated = Check(Native.Neg(outputs));
                logs = Check(Native.LogSigmoid(negated));
                no = Native.LogSumExp(logs, 1, 0);
                Native.Dispose(logs);
                Check(no);
                chain.Next(Native.Sub(yes, no));
                return chain.Take();
            }
            finally
            {
                foreach (var handle in (ReadOnlySpan<IntPtr>)[yes, negated, no])
                    if (handle != IntPtr.Zero) Native.Dispose(handle);
            }
        }

        public override void Free()
        {
            _weights.Dispose();
            Native.DisposeScalar(_logMembers);
            NativeMemory.Free(_members);
        }
    }

    /// <summary>TorchSharp's native library's exports, found as its own assembly finds them.</summary>
    private static class Native
    {
        public static readonly bool Missing;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr> Linear;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> Relu;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, IntPtr> AdaptiveAveragePool;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long, long, IntPtr> Flatten;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr, int, IntPtr, int, IntPtr, int, long, IntPtr> Conv2d;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, byte, double, double, IntPtr> BatchNormFunction;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> Data;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long> Numel;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, void> Dispose;
        public static readonly delegate* unmanaged[Cdecl]<byte, void> SetGradFunction;
        public static readonly delegate* unmanaged[Cdecl]<byte> IsGradEnabledFunction;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr> LastError;
        public static readonly delegate* unmanaged[Cdecl]<double, IntPtr> Float64Scalar;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, void> DisposeScalar;
        /// <summary>The integer 1, as <see cref="Scalars.One"/> is made: the alpha of the modules' additions. Held for the process.</summary>
        public static readonly IntPtr One;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, byte, double, IntPtr> Pad;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long, IntPtr, IntPtr> IndexSelect;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, IntPtr> View;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, IntPtr> Reshape;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long, long, IntPtr> Transpose;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long, IntPtr> Unsqueeze;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr> Bmm;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr> Mul;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void> MulInPlace;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr> Add;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, void> AddInPlace;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void> SubScalarInPlace;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, void> ReluInPlace;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, int, long, IntPtr> Cat;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long, sbyte, IntPtr> LogSoftmax;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long, byte, IntPtr> LogSumExp;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, byte, byte, sbyte, IntPtr> MeanAlong;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr> Gelu;
        /// <summary>"none", the approximation <c>nn.GELU()</c> names, as a C string held for the process.</summary>
        public static readonly IntPtr NoApproximation = Marshal.StringToHGlobalAnsi("none");
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> Silu;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> Tanh;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr> LeakyRelu;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, long*, long, IntPtr, IntPtr, double, IntPtr> LayerNorm;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> LogSigmoid;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> Neg;
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr> Sub;

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
            AdaptiveAveragePool = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, IntPtr>)Export("THSTensor_adaptive_avg_pool2d");
            BatchNormFunction = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, byte, double, double, IntPtr>)Export("THSNN_batch_norm");
            Data = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Export("THSTensor_data");
            Numel = (delegate* unmanaged[Cdecl]<IntPtr, long>)Export("THSTensor_numel");
            Dispose = (delegate* unmanaged[Cdecl]<IntPtr, void>)Export("THSTensor_dispose");
            SetGradFunction = (delegate* unmanaged[Cdecl]<byte, void>)Export("THSAutograd_setGrad");
            IsGradEnabledFunction = (delegate* unmanaged[Cdecl]<byte>)Export("THSAutograd_isGradEnabled");
            LastError = (delegate* unmanaged[Cdecl]<IntPtr>)Export("THSTorch_get_and_reset_last_err");
            Float64Scalar = (delegate* unmanaged[Cdecl]<double, IntPtr>)Export("THSTorch_float64_to_scalar");
            DisposeScalar = (delegate* unmanaged[Cdecl]<IntPtr, void>)Export("THSTorch_dispose_scalar");
            var int32Scalar = (delegate* unmanaged[Cdecl]<int, IntPtr>)Export("THSTorch_int32_to_scalar");
            if (int32Scalar != null) One = int32Scalar(1);
            Pad = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, byte, double, IntPtr>)Export("THSNN_pad");
            IndexSelect = (delegate* unmanaged[Cdecl]<IntPtr, long, IntPtr, IntPtr>)Export("THSTensor_index_select");
            View = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, IntPtr>)Export("THSTensor_view");
            Reshape = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, IntPtr>)Export("THSTensor_reshape");
            Transpose = (delegate* unmanaged[Cdecl]<IntPtr, long, long, IntPtr>)Export("THSTensor_transpose");
            Unsqueeze = (delegate* unmanaged[Cdecl]<IntPtr, long, IntPtr>)Export("THSTensor_unsqueeze");
            Bmm = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr>)Export("THSTensor_bmm");
            Mul = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr>)Export("THSTensor_mul");
            MulInPlace = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void>)Export("THSTensor_mul_");
            Add = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr>)Export("THSTensor_add");
            AddInPlace = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, void>)Export("THSTensor_add_");
            SubScalarInPlace = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void>)Export("THSTensor_sub_scalar_");
            ReluInPlace = (delegate* unmanaged[Cdecl]<IntPtr, void>)Export("THSTensor_relu_");
            Cat = (delegate* unmanaged[Cdecl]<IntPtr, int, long, IntPtr>)Export("THSTensor_cat");
            LogSoftmax = (delegate* unmanaged[Cdecl]<IntPtr, long, sbyte, IntPtr>)Export("THSSpecial_log_softmax");
            LogSumExp = (delegate* unmanaged[Cdecl]<IntPtr, long, byte, IntPtr>)Export("THSTensor_logsumexp");
            MeanAlong = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, byte, byte, sbyte, IntPtr>)Export("THSTensor_mean_along_dimensions");
            Gelu = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr>)Export("THSTensor_gelu_with_approximate");
            Silu = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Export("THSTensor_silu");
            Tanh = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Export("THSTensor_tanh");
            LeakyRelu = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr>)Export("THSTensor_leaky_relu");
            LayerNorm = (delegate* unmanaged[Cdecl]<IntPtr, long*, long, IntPtr, IntPtr, double, IntPtr>)Export("THSNN_layer_norm");
            LogSigmoid = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Export("THSTensor_log_sigmoid");
            Neg = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Export("THSTensor_neg");
            Sub = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr>)Export("THSTensor_sub");
            Missing = missing;
        }
    }
}
