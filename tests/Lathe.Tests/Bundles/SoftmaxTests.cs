using Lathe.Bundles;

namespace Lathe.Tests.Bundles;

public class SoftmaxTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(13)]
    public void Probabilities_match_a_double_precision_softmax_and_do_not_depend_on_the_row_position(int classes)
    {
        var random = new Random(5);
        // 37 rows: the array's length is not a multiple of eight for any of these widths but 8's, so the last values go
        // through the padded vector; logits as wide as a trained network's (up to ±40).
        var logits = new float[37 * classes];
        for (var i = 0; i < logits.Length; i++) logits[i] = (float)((random.NextDouble() - 0.5) * 80 * random.NextDouble());
        var probabilities = Predictor.Softmax(logits, classes);

        for (var row = 0; row < 37; row++)
        {
            var span = logits.AsSpan(row * classes, classes);
            var max = double.NegativeInfinity;
            foreach (var v in span) max = Math.Max(max, v);
            var sum = 0.0;
            foreach (var v in span) sum += Math.Exp(v - max);
            var total = 0.0;
            for (var k = 0; k < classes; k++)
            {
                var expected = Math.Exp(span[k] - max) / sum;
                Assert.Equal(expected, probabilities[row * classes + k], 1e-6);
                total += probabilities[row * classes + k];
            }
            Assert.Equal(1.0, total, 1e-5);
            // Serving decodes each request's rows on their own: a row alone gets the same bits as in the batch.
            Assert.Equal(probabilities.AsSpan(row * classes, classes).ToArray(), Predictor.Softmax(span.ToArray(), classes));
        }
    }

    [Fact]
    public void A_NaN_logit_spoils_only_its_own_row_and_minus_infinity_is_probability_zero()
    {
        float[] logits = [1f, float.NaN, 2f, 0.5f, float.NegativeInfinity, 0.5f, 3f, 3f, 3f];
        var probabilities = Predictor.Softmax(logits, 3);
        Assert.All(probabilities[..3], p => Assert.True(float.IsNaN(p)));
        Assert.Equal([0.5f, 0f, 0.5f], probabilities[3..6]);
        Assert.All(probabilities[6..], p => Assert.Equal(1 / 3.0, p, 1e-7));
    }
}
