namespace Lathe.Config;

/// <summary>Checks values before any work starts: ranges, fractions that must sum to 1, choices that
/// contradict each other. Used for configs read from YAML and built in C# alike.</summary>
public static class ConfigValidator
{
    public static IReadOnlyList<ConfigError> Validate(PipelineConfig config)
    {
        var errors = new List<ConfigError>();
        void Check(bool ok, string path, string message, string? fix = null)
        {
            if (!ok) errors.Add(new ConfigError(path, null, message, fix));
        }

        Check(config.Targets.Count > 0 || !string.IsNullOrWhiteSpace(config.Target), "target", "missing", "name the column to predict, e.g. `target: Species`");
        Check(config.Targets.All(t => !string.IsNullOrWhiteSpace(t)), "target", "a list of targets has an empty name", "name each column, e.g. `target: [temp_max, temp_min]`");
        Check(config.Targets.Distinct(StringComparer.Ordinal).Count() == config.Targets.Count, "target", "names a column twice", "list each target column once");
        Check(config.Task != TaskKind.Multilabel || config.Targets.Count >= 2, "target", "multilabel needs a list of at least two 0/1 columns, one per label", "e.g. `target: [american, more_than_4_cylinders]`");
        Check(config.Targets.Count == 0 || config.Prepare.Encode != EncodeKind.Target, "prepare.encode",
            "target encoding learns from one target, and target lists several", "use one_hot, ordinal or hashing");
        Check(config.Targets.Count == 0 || !config.Prepare.LabelIssues, "prepare.label_issues", "applies to classification with one target", "set `label_issues: false`");
        Check(config.Task != TaskKind.Classification || config.Targets.Count == 0, "target", "classification predicts one column; several 0/1 columns are task: multilabel", "use `task: multilabel`, or one target");
        Check(config.Task == TaskKind.Auto || config.Metric == MetricKind.Auto || config.Metric.AppliesTo(config.Task), "metric",
            $"'{ConfigNames.Of(config.Metric)}' does not apply to {ConfigNames.Of(config.Task)}",
            config.Task switch { TaskKind.Regression => "use rmse, mae or r2", TaskKind.Multilabel => "use macro_f1", _ => "use accuracy or macro_f1" });

        var data = config.Data;
        var database = data.Connection is not null || data.Format == DataFormat.Postgres;
        Check(database || !string.IsNullOrWhiteSpace(data.Path), "data.path", "missing", "give the data file, e.g. `path: penguins.json`, or a PostgreSQL database as data.connection");
        if (database)
        {
            Check(string.IsNullOrWhiteSpace(data.Path), "data.path", "cannot be set beside data.connection: the table comes from a file or from a database", "remove one of them");
            Check(data.Format is DataFormat.Auto or DataFormat.Postgres, "data.format", $"'{ConfigNames.Of(data.Format)}' does not go with data.connection", "use `format: postgres`, or remove data.connection");
            Check(!string.IsNullOrWhiteSpace(data.Connection), "data.connection", "missing", "give the server and database, e.g. `connection: \"Host=localhost;Database=shop;Username=lathe\"`");
            Check(!string.IsNullOrWhiteSpace(data.Query), "data.query", "missing", "give the SQL whose result is the table, e.g. `query: SELECT * FROM penguins ORDER BY id`");
            if (!string.IsNullOrWhiteSpace(data.Connection))
            {
                try
                {
                    Check(Data.Sources.PostgresSource.Parse(data.Connection).Password is null || data.PasswordFile is null, "data.password_file",
                        "cannot be set when data.connection has a Password", "keep password_file, which stays out of the config, and remove Password from the connection");
                }
                catch (Data.DataException e)
                {
                    errors.Add(new ConfigError("data.connection", null, e.Message));
                }
            }
        }
        Check(database || data.PasswordFile is null, "data.password_file", "only applies to a PostgreSQL source", "set data.connection, or remove password_file");
        Check(data.Test is null || !string.IsNullOrWhiteSpace(data.Test.Path), "data.test.path", "missing", "give the test file, or set `test: null`");

        foreach (var (at, layout) in new[] { ("data", data.Layout) }.Concat(data.Test is { } test ? [("data.test", test.Layout)] : []))
        {
            Check(Data.Sources.CsvLayout.TryParseDelimiter(layout.Delimiter, out _, out var wrong), $"{at}.delimiter", wrong ?? "", "auto finds it from the file");
            Check(layout.SkipRows is null or >= 0, $"{at}.skip_rows", $"must be 0 or more lines (got {layout.SkipRows})", "auto finds a preamble; 0 reads the header from line 1");
        }
        Check(data.QuarantineLimit is >= 0 and <= 1, "data.quarantine_limit", $"must be a share between 0 and 1 (got {data.QuarantineLimit})", "0.01 allows one malformed row in a hundred");

        Check(data.ImageSize.Count is 0 or 2 && data.ImageSize.All(v => v is > 0 and <= 4096), "data.image_size", "must be [height, width] in pixels, or [] for the most common size");

        var split = data.Split;
        foreach (var (name, value) in new[] { ("train", split.Train), ("validation", split.Validation), ("test", split.Test) })
            Check(value is >= 0 and <= 1, $"data.split.{name}", $"must be between 0 and 1 (got {value})");
        Check(split.Train > 0, "data.split.train", "must be greater than 0: the model needs training rows");
        Check(split.Validation > 0, "data.split.validation", "must be greater than 0: validation picks the best epoch");
        var sum = split.Train + split.Validation + split.Test;
        Check(Math.Abs(sum - 1) < 1e-6, "data.split", $"train + validation + test must sum to 1 (got {sum:0.###})",
            "adjust the fractions, e.g. train: 0.7, validation: 0.15, test: 0.15");
        Check(split.Group is null || split.Time is null, "data.split", "group and time cannot both be set: a split keeps groups apart or follows time, not both");
        Check(split.Group is null || !config.TargetColumns.Contains(split.Group), "data.split.group", "cannot be the target");
        Check(data.Test is null || split.Test == 0, "data.split.test", "must be 0 when data.test gives a separate test set",
            "move the test fraction into train or validation");

        var prepare = config.Prepare;
        Check(double.IsFinite(prepare.ImputeValue), "prepare.impute_value", $"must be a finite number (got {prepare.ImputeValue})", "the number filled in with impute_numeric: constant");
        Check(prepare.DropRowsAbove is >= 0 and <= 1, "prepare.drop_rows_above", $"must be a share in [0, 1] (got {prepare.DropRowsAbove})", "1 keeps every row");
        Check(prepare.DropColumnsAbove is > 0 and <= 1, "prepare.drop_columns_above", $"must be a share in (0, 1] (got {prepare.DropColumnsAbove})", "1 keeps every column");
        Check(prepare.Bins is 0 or (>= 2 and <= 1000), "prepare.bins", $"must be 0 (off) or between 2 and 1000 (got {prepare.Bins})");
        Check(prepare.PiecewiseLinearBins is 0 or (>= 2 and <= 256), "prepare.piecewise_linear_bins", $"must be 0 (off) or between 2 and 256 (got {prepare.PiecewiseLinearBins})");
        Check(prepare.ValueCategories is 0 or (>= 2 and <= 1024), "prepare.value_categories", $"must be 0 (off) or between 2 and 1024 (got {prepare.ValueCategories})");
        Check(!prepare.PiecewiseLinearNumber || prepare.PiecewiseLinearBins > 0, "prepare.piecewise_linear_number", "keeps each number beside its piecewise-linear bins, but prepare.piecewise_linear_bins is 0 (no encoding) — set the bins or remove the key");
        Check(prepare.TextVocabulary is >= 1 and <= 100_000, "prepare.text_vocabulary", $"must be between 1 and 100000 (got {prepare.TextVocabulary})");
        Check(prepare.Text != TextHandling.Bpe || prepare.TextVocabulary >= 10, "prepare.text_vocabulary", $"bpe needs at least 10 (got {prepare.TextVocabulary}): padding, unknown and the characters come first", "a few hundred to a few thousand subwords suit most text columns");
        Check(!prepare.RemoveLabelIssues || prepare.LabelIssues, "prepare.remove_label_issues", "needs prepare.label_issues: true");
        Check(prepare.TargetSmoothing >= 0 && double.IsFinite(prepare.TargetSmoothing), "prepare.target_smoothing", $"must be 0 or more (got {prepare.TargetSmoothing})", "10 pulls a category with 10 rows halfway to the prior");
        Check(prepare.TargetFolds is >= 2 and <= 100, "prepare.target_folds", $"must be between 2 and 100 (got {prepare.TargetFolds})");
        Check(prepare.HashBuckets is >= 2 and <= 4096, "prepare.hash_buckets", $"must be between 2 and 4096 (got {prepare.HashBuckets})");
        Check(prepare.DropCorrelated is > 0 and <= 1, "prepare.drop_correlated", $"must be a correlation in (0, 1] (got {prepare.DropCorrelated})", "0.98 drops near-duplicates; 1 keeps every feature");
        foreach (var (name, formula) in prepare.Derive)
        {
            Check(name.Length > 0, "prepare.derive", "a derived column needs a name");
            try
            {
                Data.Features.Expression.Parse(formula);
            }
            catch (Data.DataException e)
            {
                errors.Add(new ConfigError($"prepare.derive.{name}", null, e.Message));
            }
        }
        var image = prepare.Image;
        Check(image.Crop.Count <= 2 && image.Crop.All(v => v is > 0 and <= 1 || (v is >= 2 and <= 4096 && v == Math.Floor(v))), "prepare.image.crop",
            $"must be one side or [height, width], each a fraction in (0, 1] or a whole number of pixels from 2 to 4096 (got [{string.Join(", ", image.Crop)}])", "crop: 24 keeps the central 24×24 pixels; crop: 0.875 the central 87.5% of each side");
        Check(image.Resize.Count <= 2 && image.Resize.All(v => v is >= 1 and <= 4096), "prepare.image.resize",
            $"must be one side or [height, width] in pixels, each from 1 to 4096 (got [{string.Join(", ", image.Resize)}])", "resize: 32 makes every image 32×32");
        Check(prepare.OutlierThreshold > 0 && double.IsFinite(prepare.OutlierThreshold), "prepare.outlier_threshold", $"must be a positive number (got {prepare.OutlierThreshold})");

        var augment = config.Augment;
        foreach (var (key, p) in new[] { ("flip", augment.Flip), ("rotate", augment.Rotate), ("crop", augment.Crop), ("shift", augment.Shift), ("brightness", augment.Brightness), ("contrast", augment.Contrast), ("noise", augment.Noise), ("cutout", augment.Cutout) })
            Check(p is >= 0 and <= 1, $"augment.{key}", $"is a probability, between 0 and 1 (got {p})");
        Check(augment.Smote is >= 0 and <= 1, "augment.smote", $"is a share of the largest class, between 0 and 1 (got {augment.Smote})");
        Check(augment.RotateDegrees is >= 0 and <= 180, "augment.rotate_degrees", $"must be between 0 and 180 (got {augment.RotateDegrees})");
        foreach (var (key, v) in new[] { ("crop_padding", augment.CropPadding), ("shift_pixels", augment.ShiftPixels), ("cutout_size", augment.CutoutSize) })
            Check(v >= 0, $"augment.{key}", $"must be 0 or more (got {v})");
        foreach (var (key, v) in new[] { ("brightness_amount", augment.BrightnessAmount), ("contrast_amount", augment.ContrastAmount), ("noise_std", augment.NoiseStd), ("table_noise", augment.TableNoise) })
            Check(v >= 0 && double.IsFinite(v), $"augment.{key}", $"must be 0 or more (got {v})");

        var model = config.Model;
        foreach (var (key, p) in new[] { ("token_dropout", augment.TokenDropout), ("token_swap", augment.TokenSwap) })
        {
            Check(p is >= 0 and < 1, $"augment.{key}", $"is a probability, in [0, 1) (got {p})");
            Check(p == 0 || model.ReadsTextAsSequences, $"augment.{key}", $"changes token sequences, which only lstm, gru and transformer read (model.kind is {ConfigNames.Of(model.Kind)})", "set `model.kind: lstm` (or `model.text_encoder: lstm` beside an image), or remove the key");
        }
        Check(model.CategoryEmbedding >= 0, "model.category_embedding", $"must be 0 (by the number of categories) or more (got {model.CategoryEmbedding})");
        foreach (var (key, v) in new[] { ("embedding", model.Embedding), ("hidden", model.Hidden), ("sequence_layers", model.SequenceLayers), ("heads", model.Heads), ("feedforward", model.Feedforward) })
            Check(v >= 1, $"model.{key}", $"must be at least 1 (got {v})");
        Check(model.MaxLength is >= 1 and <= 4096, "model.max_length", $"must be between 1 and 4096 tokens (got {model.MaxLength})");
        Check(model.TextEncoder == TextEncoderKind.Tfidf || model.Kind is ModelKind.Cnn or ModelKind.Resnet or ModelKind.Auto, "model.text_encoder",
            $"chooses how cnn and resnet read text beside an image, but model.kind is {ConfigNames.Of(model.Kind)}", $"for text alone set `model.kind: {ConfigNames.Of(model.TextEncoder)}`, or remove the key");
        Check(model.Kind != ModelKind.Transformer && model.TextEncoder != TextEncoderKind.Transformer || model.Heads < 1 || model.Embedding % model.Heads == 0, "model.heads",
            $"must divide model.embedding ({model.Embedding}) for transformer (got {model.Heads})", "embedding: 64 with heads: 4");
        Check(model.Layers.All(n => n > 0), "model.layers", "every layer size must be greater than 0");
        Check(model.Channels.Count > 0 && model.Channels.All(n => n > 0), "model.channels", "needs at least one block, each with more than 0 channels");
        Check(model.Dense > 0, "model.dense", $"must be greater than 0 (got {model.Dense})");
        Check(model.Dropout is >= 0 and < 1, "model.dropout", $"must be in [0, 1) (got {model.Dropout})");
        Check(model.Ensemble is >= 0 and <= 256, "model.ensemble", $"must be between 0 (one network) and 256 members (got {model.Ensemble})", "32 is TabM's default");
        Check(model.Ensemble <= 1 || model.Kind is ModelKind.Mlp or ModelKind.Tabular or ModelKind.Auto, "model.ensemble",
            $"is for the table kinds mlp and tabular, but model.kind is {ConfigNames.Of(model.Kind)}", "set `model.ensemble: 0`");
        Check(model.Ensemble <= 1 || !model.Residual && model.Norm != NormKind.Batch, "model.ensemble",
            $"works with plain hidden layers and norm none or layer, but the config has {(model.Residual ? "residual: true" : "norm: batch")}", "set `model.ensemble: 0`, or `norm: layer` and `residual: false`");
        Check(model.NumberEmbedding is >= 0 and <= 256, "model.number_embedding", $"must be between 0 (off) and 256 values a number (got {model.NumberEmbedding})", "16 is lathe init's choice");
        Check(model.NumberEmbedding == 0 || config.Prepare.PiecewiseLinearBins > 0, "model.number_embedding",
            "embeds each number's piecewise-linear bins, but prepare.piecewise_linear_bins is 0 (no bins)", "set `prepare.piecewise_linear_bins: 32`, or `model.number_embedding: 0`");
        Check(model.Kernel is >= 1 and <= 15, "model.kernel", $"must be between 1 and 15 (got {model.Kernel})", "3 is usual; 5 or 7 see more at once");
        Check(model.Kind != ModelKind.Resnet || model.Kernel % 2 == 1, "model.kernel", $"must be odd for resnet, so that a block's output lines up with its input (got {model.Kernel})", "use 3, 5 or 7");
        Check(model.Stride is >= 1 and <= 4, "model.stride", $"must be between 1 and 4 (got {model.Stride})");
        Check(model.Padding >= 0 && model.Padding < model.Kernel, "model.padding", $"must be at least 0 and less than the kernel ({model.Kernel}) (got {model.Padding})", $"{model.Kernel / 2} keeps the size at stride 1");

        var training = config.Training;
        Check(training.Epochs >= 1, "training.epochs", $"must be at least 1 (got {training.Epochs})");
        Check(training.BatchSize >= 1, "training.batch_size", $"must be at least 1 (got {training.BatchSize})");
        Check(training.LearningRate > 0 && double.IsFinite(training.LearningRate), "training.learning_rate",
            $"must be a positive number (got {training.LearningRate})", "typical values are 0.0001 to 0.01");
        Check(training.Momentum is >= 0 and < 1, "training.momentum", $"must be in [0, 1) (got {training.Momentum})");
        Check(!training.Nesterov || (training.Optimizer == OptimizerKind.Sgd && training.Momentum > 0), "training.nesterov",
            "needs optimizer: sgd and a momentum above 0", "set `optimizer: sgd` and `momentum: 0.9`, or `nesterov: false`");
        Check(training.WeightDecay >= 0 && double.IsFinite(training.WeightDecay), "training.weight_decay", $"must be 0 or more (got {training.WeightDecay})");
        Check(training.ClipNorm >= 0 && double.IsFinite(training.ClipNorm), "training.clip_norm", $"must be 0 (off) or more (got {training.ClipNorm})", "1 or 5 are usual");
        Check(training.Patience >= 0, "training.patience", $"must be 0 or more (got {training.Patience})");
        Check(training.Threshold > 0 && training.Threshold < 1, "training.threshold", $"must be a probability strictly between 0 and 1 (got {training.Threshold})", "0.5 is usual; lower predicts labels more often");
        Check(training.Threads >= 0, "training.threads", $"must be 0 (every core) or more (got {training.Threads})");
        Check(training.MaxMinutes >= 0 && double.IsFinite(training.MaxMinutes), "training.max_minutes", $"must be 0 (no limit) or more (got {training.MaxMinutes})", "e.g. 30 for half an hour");
        Check(training.CheckpointEverySteps >= 0, "training.checkpoint_every_steps", $"must be 0 (epoch ends only) or more (got {training.CheckpointEverySteps})");
        Check(config.Task is TaskKind.Auto or TaskKind.Multilabel || training.Loss == LossKind.Auto
              || (config.Task == TaskKind.Classification) == training.Loss.IsClassification(), "training.loss",
            $"'{ConfigNames.Of(training.Loss)}' does not fit {ConfigNames.Of(config.Task)}",
            config.Task == TaskKind.Regression ? "use mse, mae or huber" : "use cross_entropy, binary_cross_entropy or focal");
        Check(config.Task != TaskKind.Multilabel || training.Loss is LossKind.Auto or LossKind.BinaryCrossEntropy, "training.loss",
            $"'{ConfigNames.Of(training.Loss)}' does not fit multilabel, whose labels are each a yes/no", "use binary_cross_entropy (or auto)");
        Check(training.LabelSmoothing is >= 0 and < 1, "training.label_smoothing", $"must be in [0, 1) (got {training.LabelSmoothing})", "0.1 is usual");
        Check(training.LabelSmoothing == 0 || training.Loss is LossKind.Auto or LossKind.CrossEntropy, "training.label_smoothing",
            $"applies to cross_entropy only, not {ConfigNames.Of(training.Loss)}", "set `label_smoothing: 0`, or `loss: cross_entropy`");
        Check(training.LabelSmoothing == 0 || config.Task != TaskKind.Multilabel, "training.label_smoothing",
            "applies to cross_entropy only, and multilabel trains with binary_cross_entropy", "set `label_smoothing: 0`");
        Check(training.FocalGamma is >= 0 and <= 10, "training.focal_gamma", $"must be between 0 and 10 (got {training.FocalGamma})", "2 is the usual value");
        Check(training.HuberDelta > 0 && double.IsFinite(training.HuberDelta), "training.huber_delta", $"must be a positive number (got {training.HuberDelta})", "1 is the usual value");
        Check(training.ClassWeights == ClassWeighting.Auto || config.Task is not (TaskKind.Regression or TaskKind.Multilabel), "training.class_weights",
            "applies to classification only", "set `class_weights: auto`");
        Check(training.StepSize >= 1, "training.step_size", $"must be at least 1 epoch (got {training.StepSize})");
        Check(training.StepGamma is > 0 and < 1, "training.step_gamma", $"must be in (0, 1) (got {training.StepGamma})", "0.1 divides the rate by 10");
        Check(training.WarmupEpochs >= 0 && (training.Epochs < 1 || training.WarmupEpochs < training.Epochs), "training.warmup_epochs",
            $"must be 0 or more and less than epochs ({training.Epochs}) (got {training.WarmupEpochs})", "1 to 5 epochs are usual");
        Check(training.WarmupEpochs == 0 || training.Schedule == ScheduleKind.Cosine, "training.warmup_epochs",
            $"applies to the cosine schedule only, not {ConfigNames.Of(training.Schedule)}", "set `schedule: cosine`, or `warmup_epochs: 0`");
        Check(training.PlateauFactor is > 0 and < 1, "training.plateau_factor", $"must be in (0, 1) (got {training.PlateauFactor})", "0.1 divides the rate by 10");
        Check(training.Cv == 0 || training.Cv >= 2, "training.cv", $"must be 0 (off) or at least 2 folds (got {training.Cv})", "5 is usual; 3 for small or slow runs");
        Check(training.PlateauPatience >= 1, "training.plateau_patience", $"must be at least 1 epoch (got {training.PlateauPatience})");
        return errors;
    }
}
