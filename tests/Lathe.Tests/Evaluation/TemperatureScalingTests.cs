using Lathe.Bundles;
using Lathe.Config;
using Lathe.Evaluation;
using Lathe.Training;

namespace Lathe.Tests.Evaluation;

public class TemperatureScalingTests
{
    /// <summary>Rows whose classes are drawn from softmax(z), with the logits handed over as z × <paramref name="sharpen"/>:
    /// the temperature that undoes it is <paramref name="sharpen"/>.</summary>
    private static (float[] Logits, long[] Truth) Drawn(int rows, int classes, double sharpen, int seed)
    {
        var random = new Random(seed);
        var logits = new float[rows * classes];
        var truth = new long[rows];
        for (var row = 0; row < rows; row++)
        {
            var z = new double[classes];
            for (var k = 0; k < classes; k++) z[k] = 2 * random.NextDouble() - 1 + (k == row % classes ? 1.5 : 0);
            var total = z.Sum(Math.Exp);
            var u = random.NextDouble() * total;
            var pick = 0;
            for (double seen = Math.Exp(z[0]); seen < u && pick < classes - 1; seen += Math.Exp(z[++pick])) { }
            truth[row] = pick;
            for (var k = 0; k < classes; k++) logits[row * classes + k] = (float)(z[k] * sharpen);
        }
        return (logits, truth);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    public void Fit_finds_the_temperature_that_undoes_a_known_sharpening(double sharpen)
    {
        var (logits, truth) = Drawn(20_000, 4, sharpen, seed: 1);
        var temperature = TemperatureScaling.Fit(logits, truth, 4);
        Assert.InRange(temperature, sharpen * 0.93, sharpen * 1.07);
        Assert.True(TemperatureScaling.LogLoss(logits, truth, 4, temperature) < TemperatureScaling.LogLoss(logits, truth, 4, 1));
    }

    [Fact]
    public void Fit_minimises_log_loss_plus_the_prior_as_a_fine_grid_does()
    {
        var (logits, truth) = Drawn(300, 3, 1.7, seed: 2);
        var fitted = Math.Log(TemperatureScaling.Fit(logits, truth, 3));
        double Objective(double log) => truth.Length * TemperatureScaling.LogLoss(logits, truth, 3, Math.Exp(log)) + log * log / 2;
        var grid = Enumerable.Range(0, 6001).Select(i => -3 + i * 0.001).MinBy(Objective);
        Assert.InRange(fitted, grid - 0.002, grid + 0.002);
    }

    [Fact]
    public void A_small_part_without_a_mistake_sharpens_by_about_half_not_to_certainty()
    {
        // 52 rows, every one right with the margin label smoothing 0.1 trains towards (0.933 against 0.033 twice).
        var margin = (float)Math.Log(0.9333 / 0.0333);
        var logits = new float[52 * 3];
        var truth = new long[52];
        for (var row = 0; row < 52; row++) (truth[row], logits[row * 3 + row % 3]) = (row % 3, margin);
        var temperature = TemperatureScaling.Fit(logits, truth, 3);
        Assert.InRange(temperature, 0.4, 0.7);
    }

    [Fact]
    public void No_rows_or_broken_logits_keep_the_raw_softmax()
    {
        Assert.Equal(1, TemperatureScaling.Fit([], [], 3));
        Assert.Equal(1, TemperatureScaling.Fit([0.5f, float.NaN, 1f], [0], 3));
        Assert.Throws<ArgumentException>(() => TemperatureScaling.Fit([1f, 2f], [0, 1], 3));
    }

    [Fact]
    public void Seattle_weather_with_label_smoothing_is_calibrated_on_validation_and_served_so_without_changing_a_class()
    {
        var config = new PipelineConfig
        {
            Target = "weather",
            Seed = 42,
            Data = new DataConfig { Path = TestData.Vega("seattle-weather.csv") },
            Model = new ModelConfig { Layers = [32] },
            Training = new TrainingConfig { Epochs = 8, BatchSize = 64, Threads = 2, LabelSmoothing = 0.3 },
        };
        var calibrated = TrainingRun.Run(config, TestData.TempDirectory());
        var raw = TrainingRun.Run(config with { Training = config.Training with { Calibrate = false } }, TestData.TempDirectory());

        // Label smoothing 0.3 leaves the softmax under-confident: the temperature sharpens it and validation log loss falls.
        var calibration = calibrated.Metrics.Calibration!;
        Assert.Null(raw.Metrics.Calibration);
        Assert.InRange(calibration.Temperature, 0.2, 0.95);
        Assert.True(calibration.LogLossAfter < calibration.LogLossBefore, $"{calibration.LogLossAfter} against {calibration.LogLossBefore}");
        Assert.Equal(raw.Metrics.Validation["log_loss"], calibration.LogLossBefore, 4);
        Assert.Equal(calibrated.Metrics.Validation["log_loss"], calibration.LogLossAfter, 4);

        // The same weights, the same classes, other probabilities; test accuracy unchanged.
        Assert.Equal(raw.TestPredictions.Labels, calibrated.TestPredictions.Labels);
        Assert.NotEqual(raw.TestPredictions.Probabilities, calibrated.TestPredictions.Probabilities);
        Assert.Equal(raw.Metrics.Test["accuracy"], calibrated.Metrics.Test["accuracy"]);

        // The bundle keeps the temperature (format 6) and predicts with it, as evaluate, predict and serve do.
        var bundle = Bundle.Load(calibrated.BundlePath);
        Assert.Equal(6, bundle.Manifest.Format);
        Assert.Equal(calibration.Temperature, bundle.Target.Temperature);
        using var predictor = bundle.CreatePredictor();
        Assert.Equal(calibrated.TestPredictions.Probabilities, predictor.Predict(calibrated.TestRows).Probabilities);
        Assert.Contains("the temperature fitted on the validation part", File.ReadAllText(Path.Combine(calibrated.OutputDirectory, EvaluationReport.FileName)));
        Assert.DoesNotContain("the temperature fitted on the validation part", File.ReadAllText(Path.Combine(raw.OutputDirectory, EvaluationReport.FileName)));
        var rawBundle = Bundle.Load(raw.BundlePath);
        Assert.Null(rawBundle.Target.Temperature);
        Assert.Equal(2, rawBundle.Manifest.Format);
    }
}
