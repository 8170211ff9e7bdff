using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Models;
using static TorchSharp.torch;

namespace Lathe.Tests.Models;

public class ForwardTests
{
    /// <summary>Notes the engine threads each pass runs on, and answers the row's first two values.</summary>
    private sealed class ThreadProbe(bool fail = false) : nn.Module<Tensor, Tensor>("probe")
    {
        public List<int> Seen { get; } = [];

        public override Tensor forward(Tensor input)
        {
            Seen.Add(get_num_threads());
            if (fail) throw new InvalidOperationException("the pass broke");
            return input.flatten(1).narrow(1, 0, 2).clone();
        }
    }

    private static InputTensor Rows(int rows, int width) =>
        new(Features.FromTable(rows, Enumerable.Range(0, rows * width).Select(v => (float)v).ToArray(), width));

    [Fact]
    public void A_lone_small_row_runs_on_one_engine_thread_and_the_callers_count_is_put_back()
    {
        set_num_threads(2);
        using var probe = new ThreadProbe();
        using (var one = Rows(1, 784)) Assert.Equal([0f, 1f], Forward.Outputs(probe, one, 2));
        using (var two = Rows(2, 784)) Forward.Outputs(probe, two, 2);
        using (var wide = Rows(1, Forward.LoneRowSize + 1)) Forward.Outputs(probe, wide, 2);
        // The lone picture-sized row on one thread; two rows, and a row larger than any measured, on the caller's two.
        Assert.Equal([1, 2, 2], probe.Seen);
        Assert.Equal(2, get_num_threads());

        using var broken = new ThreadProbe(fail: true);
        using (var one = Rows(1, 784)) Assert.Throws<InvalidOperationException>(() => Forward.Outputs(broken, one, 2));
        Assert.Equal([1], broken.Seen);
        Assert.Equal(2, get_num_threads());
    }

    [Fact]
    public void A_fashion_picture_alone_gets_the_same_bits_on_one_thread_as_on_two()
    {
        set_num_threads(2);
        manual_seed(3);
        using var cnn = ModelSpec.Resolve(new ModelConfig { Kind = ModelKind.Cnn }, [1, 28, 28], 10).Build();
        var (x, y) = ModelData.Fashion(64);
        using var _x = x;
        using var _y = y;
        // A few training steps first, so batch norm's running statistics and the weights are not their initial values.
        ModelData.LossBeforeAndAfter(cnn, x, y, steps: 5);
        cnn.eval();
        var pixels = x.mul(255).round().to_type(ScalarType.Byte).data<byte>().ToArray();
        for (var i = 0; i < 64; i++)
        {
            using var alone = new InputTensor(Features.FromImages(new ImageColumn("image", pixels[(i * 784)..((i + 1) * 784)], 1, 28, 28)));
            var lone = Forward.Outputs(cnn, alone, 10);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var twoThreads = cnn.forward(alone.Slice(0, 1)).contiguous().data<float>().ToArray();
            Assert.Equal(twoThreads, lone);
        }
    }
}
