using Lathe.Config;
using Lathe.Data.Augmentation;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Training;

namespace Lathe.Tests.Data.Augmentation;

public class SmoteTests
{
    [Fact]
    public void Minority_species_are_raised_to_the_majority_with_points_between_real_neighbours()
    {
        var config = TestData.Penguins();
        var prepared = Preparation.Run(config, TestData.TempDirectory());
        var features = prepared.Pipeline.Transform(prepared.Train);
        var classes = prepared.Target.EncodeClasses(prepared.Train);
        var width = (int)features.ItemShape[0];
        var (values, synthetic) = Smote.Synthesize(features.Values!, width, classes, 1.0, seed: 3);

        var counts = classes.Concat(synthetic).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        Assert.Single(counts.Values.Distinct());
        Assert.DoesNotContain(synthetic, c => c == classes.GroupBy(k => k).MaxBy(g => g.Count())!.Key);

        // Each synthetic row lies on a segment between two real rows of its class.
        for (var s = 0; s < Math.Min(20, synthetic.Length); s++)
        {
            var point = values.AsSpan(s * width, width).ToArray();
            var members = Enumerable.Range(0, classes.Length).Where(r => classes[r] == synthetic[s]).ToArray();
            var onSegment = members.SelectMany(a => members.Select(b => (a, b))).Any(pair =>
            {
                var (a, b) = (features.Values!.AsSpan(pair.a * width, width).ToArray(), features.Values!.AsSpan(pair.b * width, width).ToArray());
                var f = Enumerable.Range(0, width).FirstOrDefault(i => Math.Abs(b[i] - a[i]) > 1e-4);
                var t = (point[f] - a[f]) / (b[f] - a[f]);
                return t is >= -1e-4f and <= 1.0001f && Enumerable.Range(0, width).All(i => Math.Abs(a[i] + t * (b[i] - a[i]) - point[i]) < 1e-3);
            });
            Assert.True(onSegment, $"synthetic row {s} is not between two real rows of its class");
        }
        Assert.Equal(values, Smote.Synthesize(features.Values!, width, classes, 1.0, seed: 3).Values);
    }

    [Fact]
    public void Training_with_smote_on_an_imbalanced_table_runs_and_scores_real_rows()
    {
        var config = new PipelineConfig
        {
            Target = "Effect Amount of damage",
            Data = new DataConfig { Path = TestData.Vega("birdstrikes.csv") },
            Augment = new AugmentConfig { Smote = 0.5 },
            Training = new TrainingConfig { Epochs = 3, BatchSize = 128, Threads = 2 },
        };
        var run = TrainingRun.Run(config, TestData.TempDirectory());
        Assert.Equal(10_000, run.Metrics.Rows.Train + run.Metrics.Rows.Validation + run.Metrics.Rows.Test + run.Metrics.Rows.DuplicatesDropped);
        Assert.InRange(run.Metrics.Train["accuracy"], 0, 1);
        Assert.True(run.Metrics.Test["macro_f1"] > 0);
    }
}
