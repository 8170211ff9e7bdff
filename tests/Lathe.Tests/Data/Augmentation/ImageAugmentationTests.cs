using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Augmentation;
using Lathe.Data.Sources;
using Lathe.Training;
using static TorchSharp.torch;

namespace Lathe.Tests.Data.Augmentation;

public class ImageAugmentationTests
{
    private static readonly ImageColumn Images = (ImageColumn)DataSource.Open(TestData.FashionTestImages).Read()["image"];

    /// <summary>64 real Fashion-MNIST images as float [64, 1, 28, 28] in 0–1. Disposed with the caller's scope.</summary>
    private static Tensor Batch() =>
        tensor(Images.Pixels[..(64 * 784)], [64, 1, 28, 28], ScalarType.Byte).to_type(ScalarType.Float32).div(255);

    private static Tensor Apply(AugmentConfig config, ulong seed = 7)
    {
        using var generator = new Generator(seed);
        return new ImageAugmentation(config).Apply(Batch(), generator);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void A_flip_at_probability_one_mirrors_every_image_exactly()
    {
        using var scope = NewDisposeScope();
        Assert.True(Same(Apply(new AugmentConfig { Flip = 1 }), Batch().flip(3)));
    }

    [Fact]
    public void Probability_zero_changes_nothing_and_a_half_changes_about_half()
    {
        using var scope = NewDisposeScope();
        Assert.True(Same(Apply(new AugmentConfig { Flip = 1e-9, Noise = 1e-9 }), Batch()));
        var changed = Apply(new AugmentConfig { Flip = 0.5 }).sub(Batch()).abs().sum([1, 2, 3]).gt(0).sum().item<long>();
        Assert.InRange(changed, 20, 44);
    }

    [Fact]
    public void Crop_and_shift_move_whole_pixels_and_fill_with_black()
    {
        using var scope = NewDisposeScope();
        var moved = Apply(new AugmentConfig { Shift = 1, ShiftPixels = 3 });
        var original = Batch();
        for (var i = 0; i < 8; i++)
        {
            // Some whole-pixel offset within ±3 maps the original onto the shifted image, black where it moved in.
            var matches = 0;
            for (var dy = -3; dy <= 3; dy++)
                for (var dx = -3; dx <= 3; dx++)
                {
                    var padded = nn.functional.pad(original[i], [3, 3, 3, 3]);
                    var window = padded.narrow(1, 3 + dy, 28).narrow(2, 3 + dx, 28);
                    if (Same(window, moved[i])) matches++;
                }
            Assert.True(matches >= 1, $"image {i} is not a whole-pixel shift of the original");
        }
    }

    [Fact]
    public void Rotation_keeps_the_amount_of_garment_roughly_the_same()
    {
        using var scope = NewDisposeScope();
        var rotated = Apply(new AugmentConfig { Rotate = 1, RotateDegrees = 15 });
        Assert.False(Same(rotated, Batch()));
        var ratio = rotated.sum().item<float>() / Batch().sum().item<float>();
        Assert.InRange(ratio, 0.9, 1.02);
    }

    [Fact]
    public void Brightness_contrast_and_noise_stay_within_their_strength_and_in_range()
    {
        using var scope = NewDisposeScope();
        var brighter = Apply(new AugmentConfig { Brightness = 1, BrightnessAmount = 0.2 });
        var change = brighter.sub(Batch()).abs().amax([1, 2, 3]);
        Assert.True(change.max().item<float>() <= 0.2 + 1e-6);
        Assert.Equal(0f, brighter.min().item<float>());
        Assert.Equal(1f, brighter.max().item<float>(), 6);

        var noisy = Apply(new AugmentConfig { Noise = 1, NoiseStd = 0.05 });
        // Clamping at 0 hides part of the noise on the black background; the garment keeps all of it.
        var garment = Batch().gt(0.3).logical_and(Batch().lt(0.7));
        var noise = noisy.sub(Batch()).masked_select(garment);
        Assert.InRange(noise.std().item<float>(), 0.045, 0.055);

        var contrast = Apply(new AugmentConfig { Contrast = 1, ContrastAmount = 0.2 });
        Assert.InRange(contrast.mean().item<float>(), Batch().mean().item<float>() - 0.02, Batch().mean().item<float>() + 0.02);
    }

    [Fact]
    public void Cutout_blanks_a_square_of_the_given_size()
    {
        using var scope = NewDisposeScope();
        var cut = Apply(new AugmentConfig { Cutout = 1, CutoutSize = 8 });
        var blanked = cut.eq(0).logical_and(Batch().gt(0)).sum([1, 2, 3]);
        // At most the 8x8 square is blanked, and on most garments a good part of it lands on cloth.
        Assert.True(blanked.max().item<long>() <= 64);
        Assert.True(blanked.gt(0).sum().item<long>() > 40);
    }

    [Fact]
    public void The_same_generator_seed_gives_the_same_augmentation()
    {
        using var scope = NewDisposeScope();
        var all = new AugmentConfig { Flip = 0.5, Rotate = 0.5, Crop = 0.5, Brightness = 0.5, Noise = 0.5, Cutout = 0.5 };
        Assert.True(Same(Apply(all, 3), Apply(all, 3)));
        Assert.False(Same(Apply(all, 3), Apply(all, 4)));
    }

    [Fact]
    public void Training_with_augmentation_is_reproducible_and_never_touches_evaluation()
    {
        var config = new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = TestData.FashionTestImages, Labels = TestData.FashionTestLabels },
            Augment = new AugmentConfig { Flip = 0.5, Shift = 0.5, Noise = 0.3 },
            Model = new ModelConfig { Channels = [8], Dense = 16 },
            Training = new TrainingConfig { Epochs = 2, BatchSize = 128, Threads = 2 },
        };
        var first = TrainingRun.Run(config, TestData.TempDirectory());
        var again = TrainingRun.Run(config, TestData.TempDirectory());
        var plain = TrainingRun.Run(config with { Augment = new AugmentConfig() }, TestData.TempDirectory());
        Assert.Equal(Lathe.Bundles.Bundle.Load(first.BundlePath).Weights, Lathe.Bundles.Bundle.Load(again.BundlePath).Weights);
        Assert.NotEqual(Lathe.Bundles.Bundle.Load(first.BundlePath).Weights, Lathe.Bundles.Bundle.Load(plain.BundlePath).Weights);
        Assert.True(first.Metrics.Test["accuracy"] > 0.6, $"accuracy {first.Metrics.Test["accuracy"]}");
        // The loaded bundle reproduces the test predictions: evaluation ran without augmentation.
        using var predictor = Lathe.Bundles.Bundle.Load(first.BundlePath).CreatePredictor();
        Assert.Equal(first.TestPredictions.Probabilities, predictor.Predict(first.TestRows).Probabilities);
    }

    [Fact]
    public void Preview_draws_a_grid_of_real_images()
    {
        var png = AugmentationPreview.Render(Images, new AugmentConfig { Flip = 0.5, Cutout = 0.5 }, count: 3);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Contains("no image augmentation is turned on", Assert.Throws<LatheException>(() => AugmentationPreview.Render(Images, new AugmentConfig())).Message);
    }

    [Fact]
    public void Preview_shows_rgb_icons_as_loaded_and_as_prepared_before_augmenting_the_prepared_ones()
    {
        var icons = (ImageColumn)DataSource.Open(TestData.IconFolder()).Read()["image"];
        var prepare = new ImageConfig { Crop = [0.8], Grayscale = true, Resize = [48] };
        using var picture = SkiaSharp.SKBitmap.Decode(AugmentationPreview.Render(icons, new AugmentConfig { Flip = 0.5 }, count: 3, prepare: prepare));
        // Three rows of 100-pixel cells; the first column, 112 pixels wide, holds the icons as loaded, in colour,
        // and every column right of it (prepared, flipped, all together) is gray.
        Assert.Equal(22 + 3 * 106 + 6, picture.Height);
        bool Gray(int from, int to) => Enumerable.Range(from, to - from).All(x => Enumerable.Range(28, 100).All(y =>
            picture.GetPixel(x, y) is var p && p.Red == p.Green && p.Green == p.Blue));
        Assert.False(Gray(6, 118));
        Assert.True(Gray(124, picture.Width));
    }
}
