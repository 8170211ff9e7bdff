using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Serving;
using Lathe.Training;
using Xunit.Abstractions;

namespace Lathe.Tests.Serving;

/// <summary><c>lathe serve --exact-batches</c> on images: a CNN trained on real Fashion-MNIST pictures gives each
/// picture the same outputs, bit for bit, whether it goes alone or joined with others in any split (R23 on CPU). The
/// penguins MLP's server-level check is in <see cref="ReliabilityTests"/>.</summary>
public sealed class ExactBatchTests(ITestOutputHelper output)
{
    [Fact]
    public void A_cnn_with_exact_batches_gives_each_picture_the_same_bits_alone_and_batched()
    {
        var (images, labels) = TestData.FashionSubset(1000);
        var result = TrainingRun.Run(new PipelineConfig
        {
            Target = "label",
            Data = new DataConfig { Path = images, Labels = labels },
            Model = new ModelConfig { Kind = ModelKind.Cnn, Channels = [16, 32], Dense = 32 },
            Training = new TrainingConfig { Epochs = 1, BatchSize = 64, Threads = 2 },
        }, TestData.TempDirectory());
        var exact = ServedModel.Load(result.BundlePath, threads: 1, maxBatchSize: 8, exactBatches: true);
        var plain = ServedModel.Load(result.BundlePath, threads: 1, maxBatchSize: 8);
        var all = exact.Pipeline.Transform(result.TestRows);
        Assert.True(all.IsImage);
        var count = Math.Min(all.Rows, 60);
        var width = exact.OutputWidth;

        var alone = Enumerable.Range(0, count).Select(i => exact.Outputs(all.Slice(i, 1, 1))).ToArray();
        // Passes joined as the batch loop joins requests: 1 + 2 + 3 + … rows, so each row meets different neighbours.
        var joined = new List<float[]>();
        for (var (start, size) = (0, 1); start < count; start += size, size = size % 11 + 1)
        {
            var rows = Math.Min(size, count - start);
            var outputs = exact.Outputs(all.Slice(start, rows, rows));
            joined.AddRange(Enumerable.Range(0, rows).Select(r => outputs[(r * width)..((r + 1) * width)]));
        }
        var whole = exact.Outputs(all.Slice(0, count, count));
        var identical = Enumerable.Range(0, count).Count(i =>
            Bits(alone[i]).SequenceEqual(Bits(joined[i])) && Bits(alone[i]).SequenceEqual(Bits(whole[(i * width)..((i + 1) * width)])));
        Assert.Equal(count, identical);

        // Without padding a picture's outputs depend on its pass's size: logged, not asserted (it is libtorch's choice).
        var plainWhole = plain.Outputs(all.Slice(0, count, count));
        var differing = Enumerable.Range(0, count).Count(i => !Bits(plain.Outputs(all.Slice(i, 1, 1))).SequenceEqual(Bits(plainWhole[(i * width)..((i + 1) * width)])));
        output.WriteLine($"exact: {identical}/{count} bit for bit alone, joined and whole; without padding {differing}/{count} differ between alone and a pass of {count}");
    }

    [Fact]
    public void Slice_copies_the_rows_and_pads_with_zeros_keeping_the_normalisation()
    {
        var pixels = new byte[3 * 4];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i + 1);
        var images = Features.FromImages(new ImageColumn("image", pixels, 1, 2, 2, scale: 0.5f, shift: -1));
        var slice = images.Slice(1, 2, 4);
        Assert.Equal(4, slice.Rows);
        Assert.Equal([5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0, 0, 0, 0, 0], slice.Pixels!.Select(p => (int)p));
        Assert.Equal((0.5f, -1f), (slice.Scale, slice.Shift));

        var table = Features.FromTable(2, [1, 2, 3, 4, 5, 6], 3);
        Assert.Equal([4f, 5, 6, 0, 0, 0], table.Slice(1, 1, 2).Values!);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Slice(1, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Slice(0, 2, 1));
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
