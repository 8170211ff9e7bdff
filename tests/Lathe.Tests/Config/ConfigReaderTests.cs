using Lathe.Config;

namespace Lathe.Tests.Config;

public class ConfigReaderTests
{
    private const string Valid = """
        target: Species
        data:
          path: penguins.json
        training:
          epochs: 5
          learning_rate: 0.01
        """;

    private static ConfigException Fails(string yaml) => Assert.Throws<ConfigException>(() => ConfigReader.Parse(yaml, "run.yaml", "/data"));

    [Fact]
    public void Valid_config_reads_into_records_with_defaults_and_resolved_paths()
    {
        var config = ConfigReader.Parse(Valid, "run.yaml", "/data");
        Assert.Equal("Species", config.Target);
        Assert.Equal("/data/penguins.json", config.Data.Path);
        Assert.Equal(5, config.Training.Epochs);
        Assert.Equal(0.01, config.Training.LearningRate);
        Assert.Equal(new TrainingConfig().BatchSize, config.Training.BatchSize);
        Assert.Equal(TaskKind.Auto, config.Task);
    }

    [Fact]
    public void Misspelled_top_level_key_names_file_line_and_the_nearest_key()
    {
        var error = Fails(Valid.Replace("training:", "trainig:"));
        var problem = Assert.Single(error.Errors);
        Assert.Equal(4, problem.Line);
        Assert.Contains("run.yaml:4:", error.Message);
        Assert.Contains("unknown key 'trainig'", error.Message);
        Assert.Contains("did you mean 'training'?", error.Message);
    }

    [Fact]
    public void Misspelled_nested_key_is_named_with_its_section()
    {
        var error = Fails(Valid.Replace("learning_rate", "learnig_rate"));
        Assert.Contains("run.yaml:6: training: unknown key 'learnig_rate' — did you mean 'learning_rate'?", error.Message);
    }

    [Fact]
    public void Unknown_choice_suggests_the_nearest_valid_value()
    {
        var error = Fails(Valid + "\n  optimizer: adma");
        Assert.Contains("training.optimizer: unknown value 'adma'", error.Message);
        Assert.Contains("did you mean 'adam'?", error.Message);
    }

    [Theory]
    [InlineData("learning_rate: -0.1", "training.learning_rate", "must be a positive number (got -0.1)")]
    [InlineData("batch_size: 0", "training.batch_size", "must be at least 1 (got 0)")]
    [InlineData("epochs: 0", "training.epochs", "must be at least 1 (got 0)")]
    public void Out_of_range_values_are_errors_naming_the_key_and_line(string setting, string key, string message)
    {
        var error = Fails($"target: Species\ndata:\n  path: penguins.json\ntraining:\n  {setting}\n");
        var problem = Assert.Single(error.Errors);
        Assert.Equal(key, problem.Path);
        Assert.Equal(5, problem.Line);
        Assert.Contains($"run.yaml:5: {key}: {message}", error.Message);
    }

    [Fact]
    public void Split_fractions_must_sum_to_one()
    {
        var error = Fails(Valid.Replace("  path: penguins.json", "  path: penguins.json\n  split: { train: 0.8, validation: 0.15, test: 0.15 }"));
        Assert.Contains("data.split: train + validation + test must sum to 1 (got 1.1)", error.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        // Keys that cannot be read are reported together; once every key reads, every range problem is.
        var unreadable = Fails("target: y\ndata: { path: a.csv }\nseeed: 1\ntraining: { epochs: many, optimizer: adma }\n");
        Assert.Equal(["", "training.epochs", "training.optimizer"], unreadable.Errors.Select(e => e.Path).Order());
        var outOfRange = Fails("target: y\ndata: { path: a.csv }\ntraining: { epochs: -1, batch_size: 0 }\nmodel: { dropout: 1.5 }\n");
        Assert.Equal(["model.dropout", "training.batch_size", "training.epochs"], outOfRange.Errors.Select(e => e.Path).Order());
    }

    [Fact]
    public void A_number_embedding_is_refused_without_bins_to_embed_and_read_with_them()
    {
        var noBins = Fails(Valid + "\nmodel:\n  number_embedding: 16\n");
        Assert.Contains("model.number_embedding: embeds each number's piecewise-linear bins, but prepare.piecewise_linear_bins is 0 (no bins)", noBins.Message);
        Assert.Contains("model.number_embedding: must be between 0 (off) and 256 values a number (got -1)",
            Fails(Valid + "\nprepare:\n  piecewise_linear_bins: 8\nmodel:\n  number_embedding: -1\n").Message);
        Assert.Equal(16, ConfigReader.Parse(Valid + "\nprepare:\n  piecewise_linear_bins: 8\nmodel:\n  number_embedding: 16\n", "run.yaml", "/data").Model.NumberEmbedding);
    }

    [Fact]
    public void An_ensemble_is_refused_where_its_members_cannot_be_kept_apart()
    {
        var images = Fails(Valid + "\nmodel:\n  kind: cnn\n  ensemble: 32\n");
        Assert.Contains("model.ensemble: is for the table kinds mlp and tabular, but model.kind is cnn", images.Message);
        var batchNorm = Fails(Valid + "\nmodel:\n  norm: batch\n  ensemble: 8\n");
        Assert.Contains("model.ensemble: works with plain hidden layers and norm none or layer, but the config has norm: batch", batchNorm.Message);
        Assert.Contains("model.ensemble: must be between 0 (one network) and 256 members (got 1000)", Fails(Valid + "\nmodel:\n  ensemble: 1000\n").Message);
        Assert.Equal(8, ConfigReader.Parse(Valid + "\nmodel:\n  norm: layer\n  ensemble: 8\n", "run.yaml", "/data").Model.Ensemble);
    }

    [Fact]
    public void Wrong_type_names_what_was_expected()
    {
        var error = Fails(Valid.Replace("epochs: 5", "epochs: many"));
        Assert.Contains("training.epochs: expected a whole number, got 'many'", error.Message);
    }

    [Fact]
    public void Broken_yaml_is_reported_with_its_line()
    {
        var error = Fails("target: Species\ndata:\n  path: [unclosed\n");
        Assert.Contains("not valid YAML", error.Message);
        Assert.NotNull(Assert.Single(error.Errors).Line);
    }

    [Fact]
    public void A_separate_test_set_requires_a_zero_test_fraction()
    {
        var error = Fails(Valid.Replace("  path: penguins.json", "  path: penguins.json\n  test: { path: t.json }"));
        Assert.Contains("data.split.test: must be 0 when data.test gives a separate test set", error.Message);
    }

    [Fact]
    public void Written_config_reads_back_to_the_same_config()
    {
        var config = ConfigReader.Parse(Valid + "\n  optimizer: sgd\nmodel: { layers: [32, 16], dropout: 0.2 }\nmetric: macro_f1", "run.yaml", "/data");
        var written = ConfigWriter.Write(config, "header");
        var again = ConfigReader.Parse(written, "again.yaml", "/data");
        Assert.Equal(written, ConfigWriter.Write(again, "header"));
        Assert.Equal(OptimizerKind.Sgd, again.Training.Optimizer);
        Assert.Equal([32, 16], again.Model.Layers);
        Assert.Equal(MetricKind.MacroF1, again.Metric);
    }

    [Fact]
    public void Training_keys_out_of_range_are_reported_with_their_lines_and_fixes()
    {
        var error = Fails(Valid + "\n  nesterov: true\n  label_smoothing: 1.5\n  schedule: cosine\n  warmup_epochs: 500\n  clip_norm: -1");
        var paths = error.Errors.Select(e => e.Path).Order().ToArray();
        Assert.Equal(["training.clip_norm", "training.label_smoothing", "training.nesterov", "training.warmup_epochs"], paths);
        Assert.Contains(error.Errors, e => e.Path == "training.nesterov" && e.Message.Contains("needs optimizer: sgd") && e.Line > 0);
    }

    [Fact]
    public void Max_minutes_is_read_written_back_and_refused_when_negative()
    {
        var config = ConfigReader.Parse(Valid + "\n  max_minutes: 2.5", "run.yaml", "/data");
        Assert.Equal(2.5, config.Training.MaxMinutes);
        Assert.Contains("  max_minutes: 2.5", ConfigWriter.Write(config));
        Assert.Equal(0, ConfigReader.Parse(Valid, "run.yaml", "/data").Training.MaxMinutes);
        var problem = Assert.Single(Fails(Valid + "\n  max_minutes: -1").Errors);
        Assert.Equal("training.max_minutes", problem.Path);
        Assert.Contains("must be 0 (no limit) or more (got -1)", problem.Message);
        Assert.Equal(7, problem.Line);
    }

    [Fact]
    public void A_regression_loss_for_a_classification_task_is_refused()
    {
        var error = Fails(Valid + "\n  loss: huber\ntask: classification");
        var problem = Assert.Single(error.Errors);
        Assert.Equal("training.loss", problem.Path);
        Assert.Contains("cross_entropy, binary_cross_entropy or focal", problem.Suggestion);
    }

    [Fact]
    public void New_training_keys_read_and_write_back()
    {
        var config = ConfigReader.Parse(Valid + "\n  optimizer: adamw\n  loss: focal\n  focal_gamma: 1.5\n  schedule: one_cycle\n  init: orthogonal\n  class_weights: balanced\n  clip_norm: 1", "run.yaml", "/data");
        var written = ConfigWriter.Write(config);
        Assert.Contains("# Loss; auto is cross_entropy", written);
        var again = ConfigReader.Parse(written, "again.yaml", "/data");
        Assert.Equal((OptimizerKind.AdamW, LossKind.Focal, 1.5, ScheduleKind.OneCycle, InitKind.Orthogonal, ClassWeighting.Balanced, 1.0),
            (again.Training.Optimizer, again.Training.Loss, again.Training.FocalGamma, again.Training.Schedule, again.Training.Init, again.Training.ClassWeights, again.Training.ClipNorm));
    }

    private const string Postgres = """
        target: species
        data:
          connection: "Host=db.example.com;Database=shop;Username=lathe"
          password_file: secrets/postgres
          query: SELECT * FROM penguins ORDER BY id
        """;

    [Fact]
    public void A_postgres_source_is_a_connection_and_a_query_with_the_password_file_beside_the_config()
    {
        var config = ConfigReader.Parse(Postgres, "run.yaml", "/data");
        Assert.Equal("Host=db.example.com;Database=shop;Username=lathe", config.Data.Connection);
        Assert.Equal("/data/secrets/postgres", config.Data.PasswordFile);
        Assert.Equal("SELECT * FROM penguins ORDER BY id", config.Data.Query);
        Assert.Equal("", config.Data.Path);
        Assert.Equal(config.Data, ConfigReader.Parse(ConfigWriter.Write(config), "again.yaml", "/data").Data);
    }

    [Theory]
    [InlineData("  query:", "  path: penguins.db\n  query:", "data.path: cannot be set beside data.connection")]
    [InlineData("  query:", "  format: sqlite\n  query:", "data.format: 'sqlite' does not go with data.connection — use `format: postgres`")]
    [InlineData("  query: SELECT * FROM penguins ORDER BY id", "  query: null", "data.query: missing — give the SQL whose result is the table")]
    [InlineData("Host=db.example.com", "Hots=db.example.com", "data.connection: unknown keyword 'Hots' in the connection string — did you mean 'Host'?")]
    [InlineData("Host=db.example.com;Database=shop;Username=lathe", "postgres://lathe@db.example.com/shop", "data.connection: not a connection string — write Npgsql keywords, e.g. Host=")]
    [InlineData("Host=db.example.com;", "", "data.connection: the connection string names no Host")]
    [InlineData("Username=lathe", "Username=lathe;Password=secret", "data.password_file: cannot be set when data.connection has a Password")]
    public void A_postgres_source_that_cannot_work_is_refused_before_any_work(string find, string replace, string message)
    {
        var error = Fails(Postgres.Replace(find, replace));
        Assert.Contains($"run.yaml:", error.Message);
        Assert.Contains(message, Assert.Single(error.Errors).Format("run.yaml"));
    }

    [Fact]
    public void A_postgres_format_needs_a_connection_and_a_password_file_needs_postgres()
    {
        Assert.Contains("data.connection: missing", Fails("target: y\ndata: { format: postgres, query: SELECT 1 }\n").Message);
        Assert.Contains("data.password_file: only applies to a PostgreSQL source", Fails("target: y\ndata: { path: a.csv, password_file: pw }\n").Message);
    }

    [Fact]
    public void A_password_in_the_connection_is_never_written_into_a_runs_config()
    {
        var config = ConfigReader.Parse(Postgres.Replace("Username=lathe", "Username=lathe;Password=s3cret;SSL Password=k3y").Replace("  password_file: secrets/postgres\n", ""));
        Assert.Equal("Host=db.example.com;Database=shop;Username=lathe;Password=s3cret;SSL Password=k3y", config.Data.Connection);
        var written = ConfigWriter.Write(config);
        Assert.Contains("connection: \"Host=db.example.com;Database=shop;Username=lathe\"", written);
        Assert.DoesNotContain("s3cret", written);
        Assert.DoesNotContain("k3y", written);
    }

    [Fact]
    public void Text_tokenisation_and_normalisation_keys_read_and_write_back_with_their_comments()
    {
        var config = ConfigReader.Parse(Valid + "\nprepare: { text: bpe, text_vocabulary: 500, text_nfkc: false, text_lowercase: false, text_collapse_whitespace: false }", "run.yaml", "/data");
        Assert.Equal(TextHandling.Bpe, config.Prepare.Text);
        Assert.Equal(500, config.Prepare.TextVocabulary);
        Assert.False(config.Prepare.TextNfkc || config.Prepare.TextLowercase || config.Prepare.TextCollapseWhitespace);
        var written = ConfigWriter.Write(config, "header");
        Assert.Contains("  text: bpe", written);
        Assert.Contains("# Unicode compatibility normalisation (NFKC)", written);
        Assert.Equal(config.Prepare, ConfigReader.Parse(written, "again.yaml", "/data").Prepare with { Derive = config.Prepare.Derive });

        var error = Fails(Valid + "\nprepare: { text: bpe, text_vocabulary: 5 }");
        Assert.Contains("prepare.text_vocabulary: bpe needs at least 10", error.Message);
    }

    [Fact]
    public void Piecewise_linear_bins_and_the_split_seed_read_write_back_and_are_refused_out_of_range()
    {
        var config = ConfigReader.Parse(Valid + "\nprepare: { piecewise_linear_bins: 16 }", "run.yaml", "/data");
        Assert.Equal(16, config.Prepare.PiecewiseLinearBins);
        var written = ConfigWriter.Write(config, "header");
        Assert.Contains("  piecewise_linear_bins: 16", written);
        Assert.Contains("# Piecewise-linear encoding (Gorishniy et al. 2022)", written);
        var again = ConfigReader.Parse(written, "again.yaml", "/data");
        Assert.Equal(16, again.Prepare.PiecewiseLinearBins);
        Assert.Null(again.Data.Split.Seed);
        Assert.Equal(0, ConfigReader.Parse(Valid, "run.yaml", "/data").Prepare.PiecewiseLinearBins);

        var seeded = ConfigReader.Parse(Valid.Replace("  path: penguins.json", "  path: penguins.json\n  split: { seed: 7 }"), "run.yaml", "/data");
        Assert.Equal(7, seeded.Data.Split.Seed);
        Assert.Equal(7, ConfigReader.Parse(ConfigWriter.Write(seeded), "again.yaml", "/data").Data.Split.Seed);

        var problem = Assert.Single(Fails(Valid + "\nprepare: { piecewise_linear_bins: 1 }").Errors);
        Assert.Equal("prepare.piecewise_linear_bins", problem.Path);
        Assert.Contains("must be 0 (off) or between 2 and 256 (got 1)", problem.Message);
        Assert.Contains("got 300", Assert.Single(Fails(Valid + "\nprepare: { piecewise_linear_bins: 300 }").Errors).Message);

        var kept = ConfigReader.Parse(Valid + "\nprepare: { piecewise_linear_bins: 16, piecewise_linear_number: true }", "run.yaml", "/data");
        Assert.True(kept.Prepare.PiecewiseLinearNumber);
        Assert.True(ConfigReader.Parse(ConfigWriter.Write(kept), "again.yaml", "/data").Prepare.PiecewiseLinearNumber);
        var alone = Assert.Single(Fails(Valid + "\nprepare: { piecewise_linear_number: true }").Errors);
        Assert.Equal("prepare.piecewise_linear_number", alone.Path);
        Assert.Contains("prepare.piecewise_linear_bins is 0", alone.Message);
    }

    [Fact]
    public void A_delimited_files_layout_reads_writes_back_and_is_refused_when_it_cannot_be()
    {
        var defaults = ConfigReader.Parse(Valid, "run.yaml", "/data").Data;
        Assert.Equal(Lathe.Data.Sources.CsvLayout.Detect, defaults.Layout);
        var written = ConfigWriter.Write(ConfigReader.Parse(Valid, "run.yaml", "/data"));
        Assert.Contains("  delimiter: auto\n", written);
        Assert.Contains("  skip_rows: auto\n", written);
        Assert.Contains("  header: auto\n", written);
        Assert.Contains("  decimal: auto\n", written);
        Assert.Contains("  dates: auto\n", written);

        var set = Valid.Replace("  path: penguins.json", "  path: iris.csv\n  delimiter: whitespace\n  skip_rows: 1\n  header: false\n  decimal: comma\n  dates: day_first\n  test: { path: test.csv, delimiter: ';', skip_rows: 0, header: true, decimal: point, dates: month_first }\n  split: { train: 0.8, validation: 0.2, test: 0 }");
        var config = ConfigReader.Parse(set, "run.yaml", "/data").Data;
        Assert.Equal(new Lathe.Data.Sources.CsvLayout { Delimiter = "whitespace", SkipRows = 1, Header = Lathe.Data.Sources.HeaderRow.False, Decimal = Lathe.Data.Sources.DecimalMark.Comma, Dates = Lathe.Data.Sources.DateOrder.DayFirst }, config.Layout);
        Assert.Equal(new Lathe.Data.Sources.CsvLayout { Delimiter = ";", SkipRows = 0, Header = Lathe.Data.Sources.HeaderRow.True, Decimal = Lathe.Data.Sources.DecimalMark.Point, Dates = Lathe.Data.Sources.DateOrder.MonthFirst }, config.Test!.Layout);
        var again = ConfigReader.Parse(ConfigWriter.Write(ConfigReader.Parse(set, "run.yaml", "/data")), "again.yaml", "/data").Data;
        Assert.Equal(config.Layout, again.Layout);
        Assert.Equal(config.Test.Layout, again.Test!.Layout);

        var problems = Fails(Valid.Replace("  path: penguins.json", "  path: a.csv\n  delimiter: ab\n  skip_rows: -2\n  test: { path: b.csv, delimiter: '\"' }\n  split: { train: 0.8, validation: 0.2, test: 0 }")).Errors;
        Assert.Equal(["data.delimiter", "data.skip_rows", "data.test.delimiter"], problems.Select(p => p.Path));
        Assert.Contains("'ab' is not a delimiter Lathe reads", problems[0].Message);
        Assert.Contains("must be 0 or more lines (got -2)", problems[1].Message);
        Assert.Contains("a quote cannot split fields", problems[2].Message);
        Assert.Equal(4, problems[0].Line);
        Assert.Contains("unknown value 'maybe'", Assert.Single(Fails(Valid.Replace("  path: penguins.json", "  path: a.csv\n  header: maybe")).Errors).Message);
    }

    [Fact]
    public void Every_example_config_is_valid()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TestData.RepoRoot, "examples"), "*.yaml"))
            Assert.All(ConfigReader.Load(file).TargetColumns, target => Assert.NotEqual("", target));
    }

    [Fact]
    public void Image_preparation_reads_one_side_or_two_and_writes_back()
    {
        var config = ConfigReader.Parse(Valid + "\nprepare:\n  image: { crop: 0.875, grayscale: true, resize: [32, 40] }", "run.yaml", "/data");
        Assert.Equal([0.875], config.Prepare.Image.Crop);
        Assert.True(config.Prepare.Image.Grayscale);
        Assert.Equal([32, 40], config.Prepare.Image.Resize);
        var written = ConfigWriter.Write(config);
        Assert.Contains("  image:\n    # Center crop", written);
        Assert.Equal([24.0], ConfigReader.Parse(Valid + "\nprepare: { image: { crop: 24 } }").Prepare.Image.Crop);
        Assert.Equal(written, ConfigWriter.Write(ConfigReader.Parse(written, "again.yaml", "/data")));
    }

    [Theory]
    [InlineData("crop: 1.5", "prepare.image.crop: must be one side or [height, width], each a fraction in (0, 1] or a whole number of pixels from 2 to 4096 (got [1.5])")]
    [InlineData("crop: [24, 24, 3]", "prepare.image.crop: must be one side or [height, width]")]
    [InlineData("resize: 0", "prepare.image.resize: must be one side or [height, width] in pixels, each from 1 to 4096 (got [0])")]
    public void Impossible_image_sizes_are_errors_naming_the_key(string setting, string message)
    {
        var error = Fails(Valid + $"\nprepare:\n  image:\n    {setting}");
        Assert.Contains(message, error.Message);
        Assert.Contains("run.yaml:9:", error.Message);
    }
}
