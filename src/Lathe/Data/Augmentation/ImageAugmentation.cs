using Lathe.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Data.Augmentation;

/// <summary>Image augmentation on a whole batch at once: horizontal flip, rotation, random crop with
/// padding and shift (one affine resampling), brightness, contrast, Gaussian noise and cutout. Each
/// transform is chosen per image with its own probability; pixels stay in 0–1, and empty space is black.</summary>
public sealed class ImageAugmentation(AugmentConfig config) : IBatchAugmentation
{
    public Tensor Apply(Tensor batch, Generator generator)
    {
        var n = batch.size(0);
        long height = batch.size(2), width = batch.size(3);
        Tensor Chosen(double p) => rand(n, generator: generator).lt(p);
        Tensor Uniform(double low, double high) => rand(n, generator: generator).mul(high - low).add(low);
        Tensor PerImage(Tensor values) => values.view(n, 1, 1, 1);
        var x = batch;

        if (config.Flip > 0) x = where(PerImage(Chosen(config.Flip)), x.flip(3), x);

        if (config.Rotate > 0 || config.Crop > 0 || config.Shift > 0)
        {
            var angle = config.Rotate > 0 ? where(Chosen(config.Rotate), Uniform(-config.RotateDegrees, config.RotateDegrees), 0).mul(Math.PI / 180) : zeros(n);
            // Crop from a padded image and shift are both whole-pixel moves with black filling in.
            var (dx, dy) = (zeros(n), zeros(n));
            foreach (var (p, pixels) in new[] { (config.Crop, config.CropPadding), (config.Shift, config.ShiftPixels) })
            {
                if (p <= 0 || pixels <= 0) continue;
                var chosen = Chosen(p);
                dx = dx.add(where(chosen, Uniform(-pixels, pixels + 1).floor(), 0));
                dy = dy.add(where(chosen, Uniform(-pixels, pixels + 1).floor(), 0));
            }
            var (cos, sin) = (angle.cos(), angle.sin());
            var theta = stack([cos, sin.neg(), dx.mul(2.0 / width), sin, cos, dy.mul(2.0 / height)], 1).view(n, 2, 3);
            var grid = nn.functional.affine_grid(theta, [n, batch.size(1), height, width], align_corners: false);
            x = nn.functional.grid_sample(x, grid, config.Rotate > 0 ? GridSampleMode.Bilinear : GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
        }

        if (config.Brightness > 0)
            x = x.add(PerImage(where(Chosen(config.Brightness), Uniform(-config.BrightnessAmount, config.BrightnessAmount), 0)));
        if (config.Contrast > 0)
        {
            var factor = PerImage(where(Chosen(config.Contrast), Uniform(1 - config.ContrastAmount, 1 + config.ContrastAmount), 1));
            var mean = x.mean([1, 2, 3], keepdim: true);
            x = x.sub(mean).mul(factor).add(mean);
        }
        if (config.Noise > 0)
            x = x.add(randn(x.shape, generator: generator).mul(config.NoiseStd).mul(PerImage(Chosen(config.Noise))));
        if (config.Cutout > 0 && config.CutoutSize > 0)
        {
            var chosen = PerImage(Chosen(config.Cutout));
            var centreY = PerImage(rand(n, generator: generator).mul(height).floor());
            var centreX = PerImage(rand(n, generator: generator).mul(width).floor());
            var half = config.CutoutSize / 2.0;
            var inside = arange(height, float32).view(1, 1, height, 1).sub(centreY).abs().lt(half)
                .logical_and(arange(width, float32).view(1, 1, 1, width).sub(centreX).abs().lt(half));
            x = x.masked_fill(inside.logical_and(chosen), 0);
        }
        return x.clamp(0, 1);
    }
}
