using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A plain MLP's forward pass over one row through libtorch's own operations, called by handle: the same
/// <c>linear</c> and <c>relu</c> the modules call (dropout is the identity in evaluation), with no managed tensor made
/// per pass. A served request's pass made ≈ 1.1 KB of TorchSharp tensor objects, every one finalizable, and with the
/// rest of a request allocating almost nothing they were what each gen-0 collection spent its time on
/// (docs/serving.md, "The record path"). The row goes into one input tensor kept for the model; the intermediate
/// results are released by handle. Only the network <see cref="For"/> accepts (linear layers, ReLU, dropout); any
/// other runs through its modules. A test holds the two to the same bits on real rows.</summary>
public sealed class HandlePass : IDisposable
{
    private readonly (IntPtr Weight, IntPtr Bias, bool Relu)[] _layers;
    private readonly Tensor _input;
    private readonly IntPtr _inputData;
    private readonly int _width;
    private readonly int _outputs;
    // Keeps the module (and so its parameters' storage) alive as long as the pass.
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Lock _lock = new();

    private HandlePass(nn.Module<Tensor, Tensor> model, (IntPtr, IntPtr, bool)[] layers, int width, int outputs)
    {
        _model = model;
        _layers = layers;
        _width = width;
        _outputs = outputs;
        _input = zeros(1, width);
        _inputData = Native.Data(_input.Handle);
    }

    /// <summary>The handle pass of <paramref name="model"/>, or null where it is
    /// not a plain MLP of linear layers, ReLU and dropout in evaluation mode.</summary>
    public static HandlePass? For(nn.Module<Tensor, Tensor> model)
    {
        if (model is not Mlp mlp || model.training || Native.Missing) return null;
        var layers = new List<(IntPtr, IntPtr, bool)>();
        foreach (var (_, module) in mlp.Layers.named_children())
        {
            switch (module)
            {
                case TorchSharp.Modules.Linear linear when linear.bias is not null:
                    layers.Add((linear.weight!.Handle, linear.bias!.Handle, false));
                    break;
                case TorchSharp.Modules.ReLU when layers.Count > 0 && !layers[^1].Item3:
                    layers[^1] = layers[^1] with { Item3 = true };
                    break;
                case TorchSharp.Modules.Dropout:
                    break;
                default:
                    return null;
            }
        }
        if (layers.Count == 0) return null;
        var linears = mlp.Layers.children().OfType<TorchSharp.Modules.Linear>().ToArray();
        return new HandlePass(model, [.. layers], (int)linears[0].weight!.size(1), (int)linears[^1].weight!.size(0));
    }

    /// <summary>The outputs of one row, or null when another pass holds this one (the caller then runs the modules).</summary>
    /// <param name="row">The row's model input: a one-row <see cref="Data.Pipeline.Features"/>'s values.</param>
    public float[]? Outputs(float[] row)
    {
        if (row.Length != _width) throw new ArgumentException($"a row of {row.Length} for an input of {_width}", nameof(row));
        if (!_lock.TryEnter()) return null;
        var grad = Native.IsGradEnabled();
        if (grad) Native.SetGrad(false);
        // A lone row runs on one engine thread, as Forward.Outputs runs it.
        var threads = get_num_threads();
        if (threads > 1) set_num_threads(1);
        var x = IntPtr.Zero;
        try
        {
            Marshal.Copy(row, 0, _inputData, _width);
            x = _input.Handle;
            foreach (var (weight, bias, relu) in _layers)
            {
                var next = Check(Native.Linear(x, weight, bias));
                Release(ref x);
                x = next;
                if (!relu) continue;
                next = Check(Native.Relu(x));
                Release(ref x);
                x = next;
            }
            var outputs = new float[_outputs];
            Marshal.Copy(Native.Data(x), outputs, 0, _outputs);
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

    /// <summary>Disposes an intermediate result's handle; the kept input is not one.</summary>
    private void Release(ref IntPtr handle)
    {
        if (handle != IntPtr.Zero && handle != _input.Handle) Native.Dispose(handle);
        handle = IntPtr.Zero;
    }

    private static IntPtr Check(IntPtr handle)
    {
        if (handle != IntPtr.Zero) return handle;
        var error = Native.LastError();
        throw new InvalidOperationException(error == IntPtr.Zero ? "a libtorch operation failed" : Marshal.PtrToStringAnsi(error));
    }

    public void Dispose() => _input.Dispose();

    /// <summary>TorchSharp's native library's exports, found as its own assembly finds them.</summary>
    private static class Native
    {
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr LinearFunction(IntPtr input, IntPtr weight, IntPtr bias);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr UnaryFunction(IntPtr input);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void DisposeFunction(IntPtr tensor);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void SetGradFunction([MarshalAs(UnmanagedType.U1)] bool enabled);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        [return: MarshalAs(UnmanagedType.U1)]
        public delegate bool IsGradEnabledFunction();

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr ErrorFunction();

        public static readonly bool Missing;
        public static readonly LinearFunction Linear = null!;
        public static readonly UnaryFunction Relu = null!;
        public static readonly UnaryFunction Data = null!;
        public static readonly DisposeFunction Dispose = null!;
        public static readonly SetGradFunction SetGrad = null!;
        public static readonly IsGradEnabledFunction IsGradEnabled = null!;
        public static readonly ErrorFunction LastError = null!;

        static Native()
        {
            Engine.TorchRuntime.Start();
            if (!NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out var library))
            {
                Missing = true;
                return;
            }
            T Export<T>(string name) where T : Delegate =>
                NativeLibrary.TryGetExport(library, name, out var function) ? Marshal.GetDelegateForFunctionPointer<T>(function) : null!;
            Linear = Export<LinearFunction>("THSNN_functional_linear");
            Relu = Export<UnaryFunction>("THSTensor_relu");
            Data = Export<UnaryFunction>("THSTensor_data");
            Dispose = Export<DisposeFunction>("THSTensor_dispose");
            SetGrad = Export<SetGradFunction>("THSAutograd_setGrad");
            IsGradEnabled = Export<IsGradEnabledFunction>("THSAutograd_isGradEnabled");
            LastError = Export<ErrorFunction>("THSTorch_get_and_reset_last_err");
            Missing = new Delegate?[] { Linear, Relu, Data, Dispose, SetGrad, IsGradEnabled, LastError }.Any(d => d is null);
        }
    }
}
