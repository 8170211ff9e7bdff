using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Models;
using Lathe.Training;
using static TorchSharp.torch;

namespace Lathe.Tests.Models;

/// <summary>The embedding network and the text encoders wired end to end: penguins (categories as embeddings),
/// movie titles → major genre (lstm, gru, transformer), cars' names with their numbers → origin (fusion).</summary>
public class TabularNetTests
{
    private static PipelineConfig Tabular(int seed = 42) => TestData.Penguins(seed) with
    {
        Model = new ModelConfig { Kind = ModelKind.Tabular, Layers = [32, 16] },
        Training = new TrainingConfig { Epochs = 15, BatchSize = 32, Threads = 2 },
    };

    /// <summary>Movies with the title as the only feature (every other column excluded), and a short training.</summary>
    private static PipelineConfig Titles(ModelKind kind, string keep = "Title")
    {
        var path = TestData.Vega("movies.json");
        var columns = DataSource.Open(path).Read().Columns.Select(c => c.Name);
        return new PipelineConfig
        {
            Target = "Major Genre",
            Seed = 42,
            Data = new DataConfig { Path = path, Exclude = columns.Where(c => c != keep && c != "Major Genre").ToArray() },
            Model = new ModelConfig { Kind = kind, Embedding = 32, Hidden = 32, Feedforward = 64, MaxLength = 12 },
            Training = new TrainingConfig { Epochs = 4, BatchSize = 64, Patience = 0, Threads = 2 },
        };
    }

    [Fact]
    public void Penguins_pack_as_numbers_then_one_code_per_category_and_an_unseen_category_gets_code_0()
    {
        var prepared = Preparation.Run(Tabular(), TestData.TempDirectory());
        var layout = prepared.Pipeline.Layout!;
        Assert.Equal(4, layout.Numeric);
        Assert.Equal(["Island", "Sex"], layout.Categorical.Select(c => c.Name));
        // Three islands and two sexes, plus code 0 for a category training never saw.
        Assert.Equal([4, 3], layout.Categorical.Select(c => c.Cardinality));
        Assert.Empty(layout.Texts);

        var features = prepared.Pipeline.Pack(prepared.TrainInput);
        Assert.Equal([6L], features.ItemShape);
        var islands = (OneHotColumn)prepared.TrainInput["Island"];
        for (var r = 0; r < features.Rows; r++) Assert.Equal(islands.Codes[r] + 1, features.Values![r * 6 + 4]);

        var raw = prepared.Validation.Gather([0]);
        var island = ((StringColumn)raw["Island"]).Values;
        var altered = raw.Replace(c => c.Name == "Island" ? [new StringColumn("Island", ["Atlantis"])] : null);
        Assert.Equal(0, prepared.Pipeline.Transform(altered).Values![4]);
        Assert.NotEqual(0, prepared.Pipeline.Transform(raw).Values![4]);
        Assert.NotNull(island[0]);
    }

    [Fact]
    public void Auto_and_mlp_keep_the_one_hot_input_without_a_layout()
    {
        var prepared = Preparation.Run(TestData.Penguins() with { Model = new ModelConfig() }, TestData.TempDirectory());
        Assert.Null(prepared.Pipeline.Layout);
        var features = prepared.Pipeline.Pack(prepared.TrainInput);
        Assert.Equal([(long)prepared.Pipeline.FeatureNames.Count], features.ItemShape);
        Assert.Contains("Island=Biscoe", prepared.Pipeline.FeatureNames);
        var json = System.Text.Json.JsonSerializer.Serialize(prepared.Pipeline, BundleJson.Options);
        Assert.DoesNotContain("\"layout\"", json);
        Assert.Equal(ModelKind.Mlp, ModelSpec.Resolve(new ModelConfig(), features.ItemShape, 3, prepared.Pipeline.Layout).Kind);
    }

    [Fact]
    public void The_embedding_network_gives_logits_per_row_and_a_few_steps_lower_the_loss_on_penguins()
    {
        var prepared = Preparation.Run(Tabular(), TestData.TempDirectory());
        using var data = LabelledData.From(prepared.Train, prepared.Pipeline.Pack(prepared.TrainInput), prepared.Target);
        var spec = ModelSpec.Resolve(Tabular().Model, data.Features.ItemShape, 3, prepared.Pipeline.Layout);
        manual_seed(1);
        using var model = spec.Build();
        // fastai's rule: round(1.6 · 4^0.56) = 3 and round(1.6 · 3^0.56) = 3 wide embeddings.
        Assert.Equal([4L, 3], model.named_parameters().Where(p => p.name.StartsWith("embeddings")).Select(p => p.parameter.shape[0]));
        Assert.All(model.named_parameters().Where(p => p.name.StartsWith("embeddings")), p => Assert.Equal(3, p.parameter.shape[1]));
        using var x = tensor(data.Features.Values!, [data.Count, 6]);
        model.eval();
        using (no_grad())
        using (var output = model.forward(x[..5]))
            Assert.Equal([5L, 3], output.shape);
        var (before, after) = ModelData.LossBeforeAndAfter(model, x, data.Target, steps: 30);
        Assert.True(after < before * 0.5, $"loss {before} → {after}");
    }

    [Fact]
    public void A_tabular_bundle_predicts_bit_for_bit_after_loading_and_the_same_seed_gives_the_same_weights()
    {
        var result = TrainingRun.Run(Tabular(), TestData.TempDirectory());
        Assert.True(result.Metrics.Test["accuracy"] >= 0.95, $"test accuracy {result.Metrics.Test["accuracy"]}");
        var bundle = Bundle.Load(result.BundlePath);
        Assert.Equal(ModelKind.Tabular, bundle.Model.Kind);
        Assert.Equal(6, bundle.Manifest.Format);
        Assert.Equal(2, BundleManifest.FormatFor(bundle.Model, bundle.Target with { Temperature = null }));
        Assert.Equal(bundle.Pipeline.Layout!.Categorical, bundle.Model.Layout!.Categorical);
        Assert.Equal(4, bundle.Model.Layout.Numeric);
        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(result.TestRows);
        Assert.Equal(result.TestPredictions.Probabilities.Select(BitConverter.SingleToInt32Bits), predictions.Probabilities.Select(BitConverter.SingleToInt32Bits));

        var again = Bundle.Load(TrainingRun.Run(Tabular(), TestData.TempDirectory()).BundlePath).Weights;
        var other = Bundle.Load(TrainingRun.Run(Tabular(seed: 7), TestData.TempDirectory()).BundlePath).Weights;
        Assert.Equal(bundle.Weights, again);
        Assert.NotEqual(bundle.Weights, other);
    }

    [Theory]
    [InlineData(ModelKind.Lstm)]
    [InlineData(ModelKind.Gru)]
    [InlineData(ModelKind.Transformer)]
    public void Movie_titles_train_a_text_encoder_end_to_end_and_its_bundle_predicts_bit_for_bit(ModelKind kind)
    {
        var result = TrainingRun.Run(Titles(kind), TestData.TempDirectory());
        var bundle = Bundle.Load(result.BundlePath);
        var layout = bundle.Model.Layout!;
        Assert.Equal((0, 0), (layout.Numeric, layout.Categorical.Count));
        Assert.Equal("Title", Assert.Single(layout.Texts).Name);
        Assert.InRange(layout.Texts[0].Length, 2, 12);
        // The titles' words carry some genre: training loss falls and the training rows beat the largest genre's share.
        var history = result.Metrics.History;
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss, $"train loss {history[0].TrainLoss} → {history[^1].TrainLoss}");
        using var predictor = bundle.CreatePredictor();
        var predictions = predictor.Predict(result.TestRows);
        Assert.Equal(result.TestPredictions.Probabilities.Select(BitConverter.SingleToInt32Bits), predictions.Probabilities.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Cars_names_fused_with_their_numbers_predict_origin_better_than_the_numbers_alone()
    {
        var path = TestData.Vega("cars.json");
        PipelineConfig Cars(ModelKind kind, params string[] exclude) => new()
        {
            Target = "Origin",
            Seed = 42,
            Data = new DataConfig { Path = path, Exclude = exclude },
            Model = new ModelConfig { Kind = kind, Layers = [64, 32], Embedding = 32, Hidden = 32 },
            Training = new TrainingConfig { Epochs = 40, BatchSize = 32, Patience = 10, Threads = 2 },
        };
        var fused = TrainingRun.Run(Cars(ModelKind.Lstm), TestData.TempDirectory());
        var bundle = Bundle.Load(fused.BundlePath);
        var layout = bundle.Model.Layout!;
        Assert.True(layout.Numeric >= 6, $"{layout.Numeric} numbers");
        Assert.Equal("Name", Assert.Single(layout.Texts).Name);
        var numbers = TrainingRun.Run(Cars(ModelKind.Tabular, "Name"), TestData.TempDirectory());
        var (withNames, without) = (fused.Metrics.Test["accuracy"], numbers.Metrics.Test["accuracy"]);
        Assert.True(withNames > without, $"with names {withNames}, numbers alone {without}");
        using var predictor = bundle.CreatePredictor();
        Assert.Equal(fused.TestPredictions.Probabilities.Select(BitConverter.SingleToInt32Bits), predictor.Predict(fused.TestRows).Probabilities.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void A_fused_lstm_with_token_and_table_augmentation_cancelled_and_resumed_ends_with_the_same_weights()
    {
        var config = new PipelineConfig
        {
            Target = "Origin",
            Seed = 42,
            Data = new DataConfig { Path = TestData.Vega("cars.json") },
            Model = new ModelConfig { Kind = ModelKind.Lstm, Layers = [32], Embedding = 16, Hidden = 16, Dropout = 0.2 },
            Augment = new AugmentConfig { TableNoise = 0.05, TokenDropout = 0.2, TokenSwap = 0.3 },
            Training = new TrainingConfig { Epochs = 3, BatchSize = 32, Patience = 0, Threads = 1, CheckpointEverySteps = 4 },
        };
        var whole = TestData.TempDirectory();
        var uninterrupted = TrainingRun.Run(config, whole);
        var broken = TestData.TempDirectory();
        using var cancel = new CancellationTokenSource();
        var steps = 0;
        var progress = new Data.Profiling.DataProfilerTests.Inline<TrainingProgress>(_ => { if (++steps == 13) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingRun.Run(config, broken, progress, cancellationToken: cancel.Token));
        Assert.Equal(13, Checkpoint.Latest(broken).Item1.Step);
        var resumed = TrainingRun.Run(config, broken, resume: true);
        Assert.Equal(Bundle.Load(uninterrupted.BundlePath).Weights, Bundle.Load(resumed.BundlePath).Weights);
        // The augmentation changes training: without it the weights differ.
        var plain = TrainingRun.Run(config with { Augment = new AugmentConfig() }, TestData.TempDirectory());
        Assert.NotEqual(Bundle.Load(uninterrupted.BundlePath).Weights, Bundle.Load(plain.BundlePath).Weights);
    }

    [Fact]
    public void A_text_kind_without_a_text_column_and_an_image_kind_on_a_table_are_refused_by_name()
    {
        var lstm = Assert.Throws<DataException>(() => Preparation.Run(TestData.Penguins() with { Model = new ModelConfig { Kind = ModelKind.Lstm } }, TestData.TempDirectory()));
        Assert.Contains("model.kind is lstm", lstm.Message);
        Assert.Contains("no feature column is text", lstm.Message);
        var layout = new InputLayout(3, [], []);
        var image = Assert.Throws<LatheException>(() => ModelSpec.Resolve(new ModelConfig { Kind = ModelKind.Tabular }, [1, 28, 28], 10, layout));
        Assert.Contains("the data is images", image.Message);
    }

    [Fact]
    public void Layout_augmentation_noises_only_the_numbers_and_drops_or_swaps_only_tokens()
    {
        var prepared = Preparation.Run(Titles(ModelKind.Lstm, keep: "Title") with
        {
            Data = Titles(ModelKind.Lstm).Data with { Exclude = Titles(ModelKind.Lstm).Data.Exclude.Where(c => c is not "Running Time min" and not "MPAA Rating").ToArray() },
        }, TestData.TempDirectory());
        var layout = prepared.Pipeline.Layout!;
        Assert.Equal((1, 1, 1), (layout.Numeric, layout.Categorical.Count, layout.Texts.Count));
        var features = prepared.Pipeline.Pack(prepared.TrainInput);
        using var scope = NewDisposeScope();
        var batch = tensor(features.Values!, [features.Rows, layout.Width])[..256];
        var augmented = new Lathe.Data.Augmentation.LayoutAugmentation(layout, 0.1, 0.3, 0.5).Apply(batch, new Generator(3));
        Assert.True(augmented[.., 0].ne(batch[.., 0]).all().item<bool>(), "every number is noised");
        Assert.True(augmented[.., 1].eq(batch[.., 1]).all().item<bool>(), "category codes are left alone");
        var before = batch[.., 2..].to_type(ScalarType.Int64);
        var after = augmented[.., 2..].to_type(ScalarType.Int64);
        Assert.True(after.eq(augmented[.., 2..]).all().item<bool>(), "token ids stay whole numbers");
        Assert.True(after.ne(0).sum().item<long>() < before.ne(0).sum().item<long>(), "token dropout deletes tokens");
        // No row gains a token it did not have: dropout deletes and swap reorders.
        for (var r = 0; r < 256; r++)
        {
            var kept = after[r].data<long>().Where(i => i != 0).ToArray();
            var had = before[r].data<long>().Where(i => i != 0).ToList();
            foreach (var id in kept) Assert.True(had.Remove(id), $"row {r} gained token {id}");
        }
        Assert.False(new Lathe.Data.Augmentation.LayoutAugmentation(new InputLayout(0, [new CategoricalInput("c", 3)], []), 0.1, 0.3, 0).Changes);
    }

    [Fact]
    public void Smote_over_a_layout_interpolates_the_numbers_and_copies_a_real_rows_codes()
    {
        var prepared = Preparation.Run(Tabular(), TestData.TempDirectory());
        using var data = LabelledData.From(prepared.Train, prepared.Pipeline.Pack(prepared.TrainInput), prepared.Target);
        var values = data.Features.Values!;
        var (synthetic, classes) = Lathe.Data.Augmentation.Smote.Synthesize(values, 6, data.Classes!, 1, 42, numeric: 4);
        Assert.NotEmpty(classes);
        var realCodes = Enumerable.Range(0, data.Count).Select(r => (values[r * 6 + 4], values[r * 6 + 5], data.Classes![r])).ToHashSet();
        var interpolated = 0;
        for (var r = 0; r < classes.Length; r++)
        {
            Assert.Contains((synthetic[r * 6 + 4], synthetic[r * 6 + 5], classes[r]), realCodes);
            if (!Enumerable.Range(0, data.Count).Any(i => values.AsSpan(i * 6, 4).SequenceEqual(synthetic.AsSpan(r * 6, 4)))) interpolated++;
        }
        Assert.True(interpolated > classes.Length / 2, $"{interpolated} of {classes.Length} rows are new points");
    }

    [Fact]
    public void Text_model_options_are_read_from_yaml_validated_and_written_back()
    {
        var yaml = "target: Major Genre\ndata:\n  path: p.json\nmodel:\n  kind: transformer\n  embedding: 48\n  heads: 6\n  feedforward: 96\n  sequence_layers: 2\n  sequence_pooling: cls\n  max_length: 20\n  category_embedding: 8\naugment:\n  token_dropout: 0.1\n  token_swap: 0.2\n";
        var config = ConfigReader.Parse(yaml, baseDirectory: "/tmp");
        Assert.Equal((ModelKind.Transformer, 48, 6, 96, 2, SequencePooling.Cls, 20, 8), (config.Model.Kind, config.Model.Embedding, config.Model.Heads, config.Model.Feedforward,
            config.Model.SequenceLayers, config.Model.SequencePooling, config.Model.MaxLength, config.Model.CategoryEmbedding));
        Assert.Equal((0.1, 0.2), (config.Augment.TokenDropout, config.Augment.TokenSwap));
        Assert.Empty(ConfigValidator.Validate(config));
        var again = ConfigReader.Parse(ConfigWriter.Write(config), baseDirectory: "/tmp");
        Assert.Equal((48, 6, SequencePooling.Cls, 0.2), (again.Model.Embedding, again.Model.Heads, again.Model.SequencePooling, again.Augment.TokenSwap));
        Assert.Equal(ConfigWriter.Write(config), ConfigWriter.Write(again));

        var bad = config with { Model = config.Model with { Heads = 5 }, Augment = config.Augment with { TokenSwap = 1.5 } };
        var errors = ConfigValidator.Validate(bad).Select(e => e.Path).ToArray();
        Assert.Contains("model.heads", errors);
        Assert.Contains("augment.token_swap", errors);
        var tabular = config with { Model = config.Model with { Kind = ModelKind.Tabular } };
        Assert.Contains(ConfigValidator.Validate(tabular), e => e.Path == "augment.token_dropout" && e.Message.Contains("only lstm, gru and transformer"));
    }
}
