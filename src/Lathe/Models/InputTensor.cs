using Lathe.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>The model input of many rows, preloaded once as one tensor (float32 for tables, uint8 for
/// images); <see cref="Rows"/> gathers a batch and, for images, applies the fitted normalisation.</summary>
public sealed class InputTensor : IDisposable
{
    private readonly Tensor _all;
    private readonly bool _image;
    private readonly float _scale, _shift;
    // The normalisation's scalars, made once: a Scalar made per batch is never disposed and waits for the finalizer
    // thread, which then competes with the engine's threads for the cores.
    private readonly Scalar? _scaleScalar, _shiftScalar, _pixelScalar, _pixelScaleScalar;

    public InputTensor(Features features)
    {
        long[] shape = [features.Rows, .. features.ItemShape];
        _image = features.IsImage;
        _scale = features.Scale;
        _shift = features.Shift;
        _all = _image ? tensor(features.Pixels!, shape, ScalarType.Byte) : tensor(features.Values!, shape, ScalarType.Float32);
        RowSize = features.ItemShape.Aggregate(1L, (size, side) => size * side);
        if (_image)
            (_scaleScalar, _shiftScalar, _pixelScalar, _pixelScaleScalar) = (_scale.ToScalar(), _shift.ToScalar(), 255.ToScalar(), (_scale * 255).ToScalar());
    }

    // size(0), not shape[0]: TorchSharp's shape getter leaves a finalizable object behind on every call, which made each
    // gen0 collection of a serving process take 30 ms instead of 1 (bench/serve, docs/serving.md).
    public long Count => _all.size(0);

    /// <summary>Values in one row: its features, or an image's channels × height × width.</summary>
    public long RowSize { get; }

    /// <summary>The batch at <paramref name="index"/> (int64 row numbers), ready for the model, augmented when an
    /// augmentation is given (training batches only). The caller owns it.</summary>
    public Tensor Rows(Tensor index, Data.Augmentation.IBatchAugmentation? augmentation = null, Generator? generator = null)
    {
        var batch = _all.index_select(0, index);
        if (augmentation is null) return Ready(batch);
        if (!_image) return augmentation.Apply(batch, generator!);
        // Images are augmented on the 0–1 pixel scale, where black is 0, then normalised.
        var pixels = augmentation.Apply(batch.to_type(ScalarType.Float32).div_(_pixelScalar!), generator!);
        return pixels.mul(_pixelScaleScalar!).add_(_shiftScalar!, Scalars.One);
    }

    /// <summary>The rows [start, start + length), ready for the model. The caller owns it.</summary>
    public Tensor Slice(long start, long length) => Ready(_all.narrow(0, start, length));

    private Tensor Ready(Tensor batch) => _image ? batch.to_type(ScalarType.Float32).mul_(_scaleScalar!).add_(_shiftScalar!, Scalars.One) : batch;

    public void Dispose()
    {
        _all.Dispose();
        _scaleScalar?.Dispose();
        _shiftScalar?.Dispose();
        _pixelScalar?.Dispose();
        _pixelScaleScalar?.Dispose();
    }
}
