using System.Text.Json;
using System.Text.Json.Nodes;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;
using Lathe.Training;

namespace Lathe.Tests.Data.Transforms;

public class TextVectorizeTests
{
    [Fact]
    public void Words_are_normalised_lower_case_runs_of_letters_or_digits()
    {
        var normalization = new TextNormalization();
        Assert.Equal(["chevrolet", "chevelle", "malibu"], TextTokenizer.Words("Chevrolet Chevelle-Malibu!", normalization));
        Assert.Equal(["café", "2", "x"], TextTokenizer.Words("CAFÉ, 2 × x", normalization));
        Assert.Equal(["fine", "2", "ab"], TextTokenizer.Words("ﬁne ² ＡＢ", normalization));
        Assert.Empty(TextTokenizer.Words(null, normalization));
    }

    [Fact]
    public void Car_names_become_unit_length_tf_idf_rows_over_words_seen_twice_in_training()
    {
        var cars = DataSource.Open(TestData.Vega("cars.json")).Read();
        var names = new Table([cars["Name"]], cars.Source);
        var fitted = (FittedTextVectorize)new TextVectorize(["Name"], TextTokenization.Words, 200, new TextNormalization()).Fit(names);
        var vocabulary = Assert.Single(fitted.Columns);
        Assert.Equal("ford", vocabulary.Words.First());
        Assert.All(vocabulary.Words, w => Assert.True(((StringColumn)cars["Name"]).Values.Count(n => TextTokenizer.Words(n, new TextNormalization()).Contains(w)) >= 2));
        var vectors = fitted.Transform(names);
        Assert.Equal(vocabulary.Tokens.Count, vectors.Columns.Count);
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

    [Fact]
    public void Bpe_subwords_of_car_names_train_end_to_end_and_lift_the_prediction_of_their_origin()
    {
        var config = new PipelineConfig
        {
            Target = "Origin",
            Data = new DataConfig { Path = TestData.Vega("cars.json") },
            Training = new TrainingConfig { Epochs = 100, BatchSize = 32, Patience = 15, Threads = 2 },
        };
        var without = TrainingRun.Run(config, TestData.TempDirectory()).Metrics;
        var with = TrainingRun.Run(config with { Prepare = new PrepareConfig { Text = TextHandling.Bpe, TextVocabulary = 300 } }, TestData.TempDirectory());
        var bundle = Bundle.Load(with.BundlePath);
        var fitted = bundle.Pipeline.Steps.OfType<FittedTextVectorize>().Single().Columns.Single();
        Assert.Equal(TextTokenization.Bpe, fitted.Tokenizer.Kind);
        Assert.Contains(bundle.Pipeline.FeatureNames, f => f.StartsWith("Name:▁", StringComparison.Ordinal));
        Assert.True(with.Metrics.Test["accuracy"] >= without.Test["accuracy"] + 0.1, $"{without.Test["accuracy"]} → {with.Metrics.Test["accuracy"]}");
        using var predictor = bundle.CreatePredictor();
        Assert.Equal(with.TestPredictions.Probabilities, predictor.Predict(with.TestRows).Probabilities);
    }

    [Fact]
    public void Changing_held_out_names_changes_neither_the_bpe_vocabulary_nor_any_other_fitted_state()
    {
        var config = new PipelineConfig
        {
            Target = "Origin",
            Data = new DataConfig { Path = TestData.Vega("cars.json") },
            Prepare = new PrepareConfig { Text = TextHandling.Bpe, TextVocabulary = 400 },
        };
        var prepared = Preparation.Run(config, TestData.TempDirectory());
        var records = JsonNode.Parse(File.ReadAllText(TestData.Vega("cars.json")))!.AsArray();
        foreach (var part in new[] { prepared.Validation, prepared.Test })
            for (var row = 0; row < part.RowCount; row++)
                records[part.LineOf(row) - 1]!["Name"] = $"zorblax quantum {row} ﬁzz {part.RowCount}";
        var file = Path.Combine(TestData.TempDirectory(), "cars-altered.json");
        File.WriteAllText(file, records.ToJsonString());
        var altered = Preparation.Run(config with { Data = new DataConfig { Path = file } }, TestData.TempDirectory());

        Assert.Contains("zorblax", ((StringColumn)altered.Validation["Name"]).Values[0]);
        Assert.Equal(JsonSerializer.Serialize(prepared.Pipeline, BundleJson.Options), JsonSerializer.Serialize(altered.Pipeline, BundleJson.Options));
        var vocabulary = altered.Pipeline.Steps.OfType<FittedTextVectorize>().Single().Columns.Single().Tokenizer.Vocabulary;
        Assert.DoesNotContain(vocabulary, t => t.Contains("zor", StringComparison.Ordinal));
    }
}
