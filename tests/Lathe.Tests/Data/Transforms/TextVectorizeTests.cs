using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;
using Lathe.Training;

namespace Lathe.Tests.Data.Transforms;

public class TextVectorizeTests
{
    [Fact]
    public void Words_are_normalised_lower_case_runs_of_letters_or_digits()
    {
        Assert.Equal(["chevrolet", "chevelle", "malibu"], TextVectorize.Words("Chevrolet Chevelle-Malibu!"));
        Assert.Equal(["café", "2", "x"], TextVectorize.Words("CAFÉ, 2 × x"));
        Assert.Empty(TextVectorize.Words(null));
    }

    [Fact]
    public void Car_names_become_unit_length_tf_idf_rows_over_words_seen_twice_in_training()
    {
        var cars = DataSource.Open(TestData.Vega("cars.json")).Read();
        var names = new Table([cars["Name"]], cars.Source);
        var fitted = (FittedTextVectorize)new TextVectorize(["Name"], 200).Fit(names);
        var vocabulary = Assert.Single(fitted.Columns);
        Assert.Equal("ford", vocabulary.Words[0]);
        Assert.All(vocabulary.Words, w => Assert.True(((StringColumn)cars["Name"]).Values.Count(n => TextVectorize.Words(n).Contains(w)) >= 2));
        var vectors = fitted.Transform(names);
        Assert.Equal(vocabulary.Words.Count, vectors.Columns.Count);
        for (var row = 0; row < 50; row++)
        {
            var norm = Math.Sqrt(vectors.Columns.Sum(c => Math.Pow(((NumericColumn)c).Values[row], 2)));
            Assert.True(norm == 0 || Math.Abs(norm - 1) < 1e-9, $"row {row} has norm {norm}");
        }
        Assert.True(((NumericColumn)vectors["Name:chevrolet"]).Values[0] > 0);
        var unseen = fitted.Transform(new Table([new StringColumn("Name", ["zorblax quantum"])], "request"));
        Assert.All(unseen.Columns, c => Assert.Equal(0, ((NumericColumn)c).Values[0]));
    }

    [Fact]
    public void Words_in_car_names_lift_the_prediction_of_their_origin()
    {
        var config = new PipelineConfig
        {
            Target = "Origin",
            Data = new DataConfig { Path = TestData.Vega("cars.json") },
            Training = new TrainingConfig { Epochs = 100, BatchSize = 32, Patience = 15, Threads = 2 },
        };
        var without = TrainingRun.Run(config, TestData.TempDirectory()).Metrics;
        var with = TrainingRun.Run(config with { Prepare = new PrepareConfig { Text = TextHandling.Words } }, TestData.TempDirectory());
        Assert.Equal("feature", with.Metrics.Columns.Single(c => c.Name == "Name").Unused ?? "feature");
        Assert.True(with.Metrics.Test["accuracy"] >= without.Test["accuracy"] + 0.1, $"{without.Test["accuracy"]} → {with.Metrics.Test["accuracy"]}");
        using var predictor = Lathe.Bundles.Bundle.Load(with.BundlePath).CreatePredictor();
        Assert.Equal(with.TestPredictions.Probabilities, predictor.Predict(with.TestRows).Probabilities);
    }
}
