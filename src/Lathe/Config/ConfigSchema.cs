using Lathe.Data.Sources;

namespace Lathe.Config;

/// <summary>Every key Lathe's config accepts, section by section. Reading, writing (with comments)
/// and "did you mean" suggestions all come from these tables.</summary>
internal static class ConfigSchema
{
    public static readonly ConfigSection<SplitConfig> Split = new(
        "Fractions of the rows for each part; they sum to 1.",
        new("train", "Share of rows used to fit the model and the preprocessing.", c => c.Train, (c, n, r) => c with { Train = r.Double(n) }),
        new("validation", "Share used to pick the best epoch and stop early.", c => c.Validation, (c, n, r) => c with { Validation = r.Double(n) }),
        new("test", "Share held back for the final, untouched evaluation (0 when data.test is set).", c => c.Test, (c, n, r) => c with { Test = r.Double(n) }),
        new("stratify", "Keep each class's share the same in every part (classification).", c => c.Stratify, (c, n, r) => c with { Stratify = r.Bool(n) }),
        new("group", "A column whose values (patient, user, site) must never sit in two parts; null for none.", c => c.Group, (c, n, r) => c with { Group = r.OptionalString(n) }),
        new("time", "A date or number column: oldest rows train, newer validate, newest test; null for none.", c => c.Time, (c, n, r) => c with { Time = r.OptionalString(n) }),
        new("seed", "Seed that deals the rows into parts; null uses the run's seed. Fix it to vary only the model's seed on the same parts.", c => c.Seed, (c, n, r) => c with { Seed = r.OptionalInt(n) }));

    /// <summary>The keys of a CSV/TSV file's layout (<see cref="CsvLayout"/>), in data and in data.test alike.</summary>
    private static ConfigKey<T>[] LayoutKeys<T>(Func<T, CsvLayout> layout, Func<T, CsvLayout, T> with) where T : class =>
    [
        new ConfigKey<T>("delimiter", "CSV/TSV: what splits the fields: auto (found from the first lines: , tab ; | or runs of white space), whitespace (runs of spaces and tabs), tab, or one character such as ;.", c => layout(c).Delimiter, (c, n, r) => with(c, layout(c) with { Delimiter = r.String(n) })),
        new ConfigKey<T>("skip_rows", "CSV/TSV: lines above the header to skip (a title, a line of counts); auto skips a preamble it recognises (a title line, comment lines from '# ', a mostly empty line above the column names, a logger's format line) and says so in lathe profile.", c => (object?)layout(c).SkipRows ?? "auto", (c, n, r) => with(c, layout(c) with { SkipRows = r.AutoInt(n) })),
        new ConfigKey<T>("header", "CSV/TSV: whether the first line read names the columns; auto takes it as names unless every field is a number or it reads as one more row (then the columns are column_1, column_2, ...), and skips lines of units right under the names; true reads those lines as data.", c => layout(c).Header, (c, n, r) => with(c, layout(c) with { Header = r.Enum<HeaderRow>(n) })),
        new ConfigKey<T>("decimal", "CSV/TSV: what marks a number's decimals: point, comma (European spreadsheets: 1.234,5 is 1234.5), or auto (comma where the fields are not split by commas and the numbers have decimal commas and no decimal points).", c => layout(c).Decimal, (c, n, r) => with(c, layout(c) with { Decimal = r.Enum<DecimalMark>(n) })),
        new ConfigKey<T>("dates", "CSV/TSV: which part of a date written with slashes comes first: month_first (12/31/2024), day_first (31/12/2024), or auto (day first where the numbers have decimal commas, or where a date's first part passes 12 and no second part does). Dates with points (31.12.2024) are always day first.", c => layout(c).Dates, (c, n, r) => with(c, layout(c) with { Dates = r.Enum<DateOrder>(n) })),
        new ConfigKey<T>("sheet", "Excel workbooks (.xlsx, .xlsm, .xls): the sheet to read, by name or number (1 is the first); null reads the first. skip_rows, header and dates apply to a sheet as to a CSV file.", c => layout(c).Sheet, (c, n, r) => with(c, layout(c) with { Sheet = r.OptionalString(n) })),
    ];

    public static readonly ConfigSection<DataSourceConfig> Source = new(
        "A separate, fixed test set.",
    [
        new("path", "The test data file.", c => c.Path, (c, n, r) => c with { Path = r.FilePath(n) }),
        new("format", "File format.", c => c.Format, (c, n, r) => c with { Format = r.Enum<DataFormat>(n) }),
        new("encoding", "Text encoding of a CSV/TSV file.", c => c.Encoding, (c, n, r) => c with { Encoding = r.Enum<TextEncoding>(n) }),
        .. LayoutKeys<DataSourceConfig>(c => c.Layout, (c, layout) => c with { Layout = layout }),
        new("labels", "IDX only: the labels file.", c => c.Labels, (c, n, r) => c with { Labels = r.OptionalFilePath(n) }),
    ]);

    public static readonly ConfigSection<DataConfig> Data = new(
        "Where the data comes from and how it is split.",
    [
        new("path", "The data: a CSV, TSV, JSON (records or lines; each also gzipped or zipped), Excel workbook, Parquet, Arrow IPC, gzipped IDX or SQLite file, or a folder of images with one sub-folder per class; relative to this file. Empty for a PostgreSQL database (connection).", c => c.Path, (c, n, r) => c with { Path = r.FilePath(n) }),
        new("format", "Data format; auto decides from the file name, or is postgres when connection is set.", c => c.Format, (c, n, r) => c with { Format = r.Enum<DataFormat>(n) }),
        new("encoding", "Text encoding of a CSV/TSV file; auto reads a byte-order mark, else UTF-8 (Latin-1 when most damaged lines say so).", c => c.Encoding, (c, n, r) => c with { Encoding = r.Enum<TextEncoding>(n) }),
        .. LayoutKeys<DataConfig>(c => c.Layout, (c, layout) => c with { Layout = layout }),
        new("labels", "IDX only: the labels file that goes with the images.", c => c.Labels, (c, n, r) => c with { Labels = r.OptionalFilePath(n) }),
        new("image_size", "Image folders: [height, width] to resize every image to; [] uses the most common size.", c => c.ImageSize, (c, n, r) => c with { ImageSize = r.IntList(n) }),
        new("query", "SQL sources (a SQLite .db file as path, or a PostgreSQL connection): the query whose result is the table; an ORDER BY keeps the row order, and so the split, the same from run to run.", c => c.Query, (c, n, r) => c with { Query = r.OptionalString(n) }),
        new("connection", "PostgreSQL, instead of path: the server and database as an Npgsql connection string, e.g. \"Host=localhost;Port=5432;Database=shop;Username=lathe\"; read-only. A Password here is never written to a run's files.", c => c.Connection is null ? null : PostgresSource.WithoutPassword(c.Connection), (c, n, r) => c with { Connection = r.OptionalString(n) }),
        new("password_file", "PostgreSQL: a file whose first line is the password, relative to this file; without it (or Password in connection), PGPASSWORD or ~/.pgpass.", c => c.PasswordFile, (c, n, r) => c with { PasswordFile = r.OptionalFilePath(n) }),
        new("test", "Optional fixed test set ({path, format, labels}); null splits the test part off data.path.", c => c.Test, (c, n, r) => c with { Test = r.OptionalSection(n, Source, c.Test ?? new DataSourceConfig()) }),
        new("exclude", "Columns never used as features (identifiers, columns that leak the target).", c => c.Exclude, (c, n, r) => c with { Exclude = r.StringList(n) }),
        new("split", "Fractions of the rows for each part.", c => c.Split, (c, n, r) => c with { Split = r.Section(n, Split, c.Split) }),
        new("bad_values", "A value that does not fit its column's type ('abc' among numbers): quarantine its row, or make it missing (then imputed) and count it per column.", c => c.BadValues, (c, n, r) => c with { BadValues = r.Enum<BadValueHandling>(n) }),
        new("quarantine_limit", "Largest share of malformed rows (set aside in quarantine.csv with line and reason) before the run stops.", c => c.QuarantineLimit, (c, n, r) => c with { QuarantineLimit = r.Double(n) }),
    ]);

    public static readonly ConfigSection<ImageConfig> Image = new(
        "Images, in this order: center crop, grayscale, bilinear resize; each records its input and output shapes.",
        new("crop", "Center crop: one side for both or [height, width]; a value up to 1 is a fraction of the side (0.875), larger is pixels (24); [] is off.", c => c.Crop, (c, n, r) => c with { Crop = r.DoubleSides(n) }),
        new("grayscale", "RGB to one channel: 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), rounded to whole pixel values.", c => c.Grayscale, (c, n, r) => c with { Grayscale = r.Bool(n) }),
        new("resize", "Bilinear resize to one side for both or [height, width] in pixels, after the crop; [] keeps the size.", c => c.Resize, (c, n, r) => c with { Resize = r.IntSides(n) }));

    public static readonly ConfigSection<PrepareConfig> Prepare = new(
        "How the data is cleaned and transformed; every statistic is fitted on the training part only.",
        new("duplicates", "Exact duplicate rows: drop them before the split, keep them, or auto (drop when under 1% of rows, keep when common).", c => c.Duplicates, (c, n, r) => c with { Duplicates = r.Enum<DuplicateHandling>(n) }),
        new("impute_numeric", "Fill missing numbers with the training median, mean, zero, or a constant (impute_value).", c => c.ImputeNumeric, (c, n, r) => c with { ImputeNumeric = r.Enum<NumericImputation>(n) }),
        new("impute_value", "The number filled in when impute_numeric is constant (-1, say, for 'not measured').", c => c.ImputeValue, (c, n, r) => c with { ImputeValue = r.Double(n) }),
        new("impute_categorical", "Fill missing categories with the training mode, or treat missing as its own category.", c => c.ImputeCategorical, (c, n, r) => c with { ImputeCategorical = r.Enum<CategoricalImputation>(n) }),
        new("missing_indicators", "Add a 0/1 '<column>.missing' feature for numeric columns with missing values.", c => c.MissingIndicators, (c, n, r) => c with { MissingIndicators = r.Bool(n) }),
        new("drop_rows_above", "Drop a row missing more than this share of its feature values, before the split (1 keeps all); counted in metrics.json.", c => c.DropRowsAbove, (c, n, r) => c with { DropRowsAbove = r.Double(n) }),
        new("drop_columns_above", "Drop a feature missing in more than this share of training rows (1 keeps all).", c => c.DropColumnsAbove, (c, n, r) => c with { DropColumnsAbove = r.Double(n) }),
        new("outliers", "Clip numeric outliers to bounds fitted on training: none, iqr (quartiles ± k·IQR) or zscore (mean ± k·std).", c => c.Outliers, (c, n, r) => c with { Outliers = r.Enum<OutlierMethod>(n) }),
        new("outlier_action", "clip outliers to the bounds, or drop the training rows that have one (other rows are clipped).", c => c.OutlierAction, (c, n, r) => c with { OutlierAction = r.Enum<OutlierAction>(n) }),
        new("outlier_threshold", "k for outliers: 1.5 is usual for iqr, 3 for zscore.", c => c.OutlierThreshold, (c, n, r) => c with { OutlierThreshold = r.Double(n) }),
        new("transform", "Make skewed numbers symmetric: auto (Yeo-Johnson where training skewness > 1), log, box_cox, yeo_johnson, or none.", c => c.Transform, (c, n, r) => c with { Transform = r.Enum<TransformKind>(n) }),
        new("bins", "Replace numbers by their quantile bin (0–1) with this many bins, fitted on training; 0 keeps the values.", c => c.Bins, (c, n, r) => c with { Bins = r.Int(n) }),
        new("piecewise_linear_bins", "Piecewise-linear encoding (Gorishniy et al. 2022): each number becomes this many 0–1 columns, one per quantile bin fitted on training, full below its value, empty above, partial in its bin; 0 keeps the number.", c => c.PiecewiseLinearBins, (c, n, r) => c with { PiecewiseLinearBins = r.Int(n) }),
        new("value_categories", "A number whose own values predict the target better than its neighbours' (an engine's displacement, a code, not a temperature) also enters as a category: a column '<number>.value' of its this many most frequent values that two or more training rows share, encoded as categories are; any other value is none of them. Tested per number out of fold on the training rows (its values' mean target against its 32 quantile bins'; kept at 2% less loss), for numbers with more than two values and at most half as many distinct values as training rows; the prepare report lists each test. lathe init writes 64 for tables; 0 keeps numbers as numbers.", c => c.ValueCategories, (c, n, r) => c with { ValueCategories = r.Int(n) }),
        new("piecewise_linear_number", "With piecewise_linear_bins: keep each number (as scaled) beside its bins.", c => c.PiecewiseLinearNumber, (c, n, r) => c with { PiecewiseLinearNumber = r.Bool(n) }),
        new("scale", "Numeric scaling: standard (mean 0, std 1), minmax (0 to 1), robust (median 0, IQR 1), or none.", c => c.Scale, (c, n, r) => c with { Scale = r.Enum<ScaleKind>(n) }),
        new("encode", "Categories as one_hot columns (unknown → all zeros), ordinal codes (unknown → -1), hashing into hash_buckets columns, or target: each category's smoothed class frequencies or target mean, out-of-fold for training rows (unknown → the prior).", c => c.Encode, (c, n, r) => c with { Encode = r.Enum<EncodeKind>(n) }),
        new("hash_buckets", "Columns per category column when encode is hashing.", c => c.HashBuckets, (c, n, r) => c with { HashBuckets = r.Int(n) }),
        new("target_smoothing", "Target encoding: weight m of the prior in (n·category mean + m·prior) / (n + m); larger trusts rare categories less.", c => c.TargetSmoothing, (c, n, r) => c with { TargetSmoothing = r.Double(n) }),
        new("target_folds", "Target encoding: folds over the training part (seeded); each training row is encoded from the other folds only.", c => c.TargetFolds, (c, n, r) => c with { TargetFolds = r.Int(n) }),
        new("text", "Free-text columns: none leaves them out; words makes TF-IDF word features; bpe makes TF-IDF features over subwords (byte-pair encoding); vocabularies from training.", c => c.Text, (c, n, r) => c with { Text = r.Enum<TextHandling>(n) }),
        new("text_vocabulary", "Vocabulary size per text column: most words kept, or BPE characters plus merged subwords.", c => c.TextVocabulary, (c, n, r) => c with { TextVocabulary = r.Int(n) }),
        new("text_nfkc", "Unicode compatibility normalisation (NFKC) of text first: ligatures, full-width and superscript forms become plain letters and digits.", c => c.TextNfkc, (c, n, r) => c with { TextNfkc = r.Bool(n) }),
        new("text_lowercase", "Lower-case text before it is tokenised.", c => c.TextLowercase, (c, n, r) => c with { TextLowercase = r.Bool(n) }),
        new("text_collapse_whitespace", "Collapse runs of white space in text to one space, trimmed at both ends.", c => c.TextCollapseWhitespace, (c, n, r) => c with { TextCollapseWhitespace = r.Bool(n) }),
        new("label_issues", "Classification: find training rows whose label the data disagrees with (5-fold, confident learning) and list them in label_issues.csv.", c => c.LabelIssues, (c, n, r) => c with { LabelIssues = r.Bool(n) }),
        new("remove_label_issues", "Also drop those rows from training.", c => c.RemoveLabelIssues, (c, n, r) => c with { RemoveLabelIssues = r.Bool(n) }),
        new("derive", "Derived columns, name: formula over numeric columns with + - * / ^, log, log1p, exp, sqrt, abs, min, max; `quote names` with spaces.", c => c.Derive, (c, n, r) => c with { Derive = r.StringMap(n) }),
        new("date_parts", "A date's calendar cycles (month, day of the month, weekday, hour, each with its sine and cosine): auto keeps each only where a permutation test on the training part finds it related to the target (p ≤ 0.05), and leaves out the weekday where every date falls on the same day of the month (it would only re-encode the year and month); all keeps every one; year and elapsed_days are always kept.", c => c.DateParts, (c, n, r) => c with { DateParts = r.Enum<DatePartSelection>(n) }),
        new("drop_correlated", "Drop constant features and the later of two correlated at least this much on training (1 keeps all).", c => c.DropCorrelated, (c, n, r) => c with { DropCorrelated = r.Double(n) }),
        new("image", "Images, in this order: center crop, grayscale, bilinear resize; the model then refuses images of another shape.", c => c.Image, (c, n, r) => c with { Image = r.Section(n, Image, c.Image) }));

    public static readonly ConfigSection<AugmentConfig> Augment = new(
        "Training-time augmentation, on training batches only and seeded; each probability 0 turns its transform off. Preview it with `lathe augment CONFIG`.",
        new("flip", "Images: probability of a horizontal flip.", c => c.Flip, (c, n, r) => c with { Flip = r.Double(n) }),
        new("rotate", "Images: probability of a rotation.", c => c.Rotate, (c, n, r) => c with { Rotate = r.Double(n) }),
        new("rotate_degrees", "Largest rotation, either way.", c => c.RotateDegrees, (c, n, r) => c with { RotateDegrees = r.Double(n) }),
        new("crop", "Images: probability of a random crop from the image padded with black.", c => c.Crop, (c, n, r) => c with { Crop = r.Double(n) }),
        new("crop_padding", "Padding for the random crop, in pixels.", c => c.CropPadding, (c, n, r) => c with { CropPadding = r.Int(n) }),
        new("shift", "Images: probability of a shift.", c => c.Shift, (c, n, r) => c with { Shift = r.Double(n) }),
        new("shift_pixels", "Largest shift, in pixels, each way.", c => c.ShiftPixels, (c, n, r) => c with { ShiftPixels = r.Int(n) }),
        new("brightness", "Images: probability of a brightness change.", c => c.Brightness, (c, n, r) => c with { Brightness = r.Double(n) }),
        new("brightness_amount", "Largest brightness change, on a 0–1 pixel scale.", c => c.BrightnessAmount, (c, n, r) => c with { BrightnessAmount = r.Double(n) }),
        new("contrast", "Images: probability of a contrast change.", c => c.Contrast, (c, n, r) => c with { Contrast = r.Double(n) }),
        new("contrast_amount", "Largest contrast change, as a factor 1 ± amount.", c => c.ContrastAmount, (c, n, r) => c with { ContrastAmount = r.Double(n) }),
        new("noise", "Images: probability of Gaussian noise.", c => c.Noise, (c, n, r) => c with { Noise = r.Double(n) }),
        new("noise_std", "Standard deviation of the noise, on a 0–1 pixel scale.", c => c.NoiseStd, (c, n, r) => c with { NoiseStd = r.Double(n) }),
        new("cutout", "Images: probability of blanking a random square.", c => c.Cutout, (c, n, r) => c with { Cutout = r.Double(n) }),
        new("cutout_size", "Side of the blanked square, in pixels.", c => c.CutoutSize, (c, n, r) => c with { CutoutSize = r.Int(n) }),
        new("table_noise", "Tables: standard deviation of Gaussian noise added to the standardised features; 0 is off.", c => c.TableNoise, (c, n, r) => c with { TableNoise = r.Double(n) }),
        new("smote", "Tables, classification: synthesize minority rows (SMOTE) up to this share of the largest class; 1 balances, 0 is off.", c => c.Smote, (c, n, r) => c with { Smote = r.Double(n) }),
        new("token_dropout", "Text kinds (lstm, gru, transformer): probability of deleting each real token of a training text; the rest close up and a text keeps at least one token; 0 is off.", c => c.TokenDropout, (c, n, r) => c with { TokenDropout = r.Double(n) }),
        new("token_swap", "Text kinds (lstm, gru, transformer): probability per training text of swapping two neighbouring tokens; 0 is off.", c => c.TokenSwap, (c, n, r) => c with { TokenSwap = r.Double(n) }));

    public static readonly ConfigSection<ModelConfig> Model = new(
        "The network.",
        new("kind", "Tables: tabular (a learned embedding per categorical column, with the numbers, into the hidden layers) or mlp (categories one-hot); text columns: lstm, gru or transformer (token ids through a sequence encoder, fused with the other columns) — tabular and mlp read text as TF-IDF; images: cnn (plain conv blocks), resnet (residual blocks, global average pooling) or mlp (each image one row of its pixels); an image beside table columns: cnn or resnet read the image and fuse it with the columns' embeddings. auto chooses mlp for tables (tabular measured level with it, not ahead: docs/architecture.md) and cnn for images.", c => c.Kind, (c, n, r) => c with { Kind = r.Enum<ModelKind>(n) }),
        new("layers", "MLP: hidden layer sizes.", c => c.Layers, (c, n, r) => c with { Layers = r.IntList(n) }),
        new("channels", "CNN: output channels of each conv block (conv, batch norm, ReLU, 2x2 pool). Resnet: of each residual block after a stem conv; a block that changes the channel count also halves the image (stride 2, 1x1 projection shortcut).", c => c.Channels, (c, n, r) => c with { Channels = r.IntList(n) }),
        new("dense", "CNN: size of the dense layer before the head (resnet has none: global average pooling feeds the head).", c => c.Dense, (c, n, r) => c with { Dense = r.Int(n) }),
        new("dropout", "Dropout probability after each hidden layer, in [0, 1).", c => c.Dropout, (c, n, r) => c with { Dropout = r.Double(n) }),
        new("activation", "MLP: the non-linearity after each hidden layer (leaky_relu has slope 0.01).", c => c.Activation, (c, n, r) => c with { Activation = r.Enum<ActivationKind>(n) }),
        new("norm", "MLP: normalise each hidden layer before its activation: batch norm (statistics of the batch) or layer norm (of each row).", c => c.Norm, (c, n, r) => c with { Norm = r.Enum<NormKind>(n) }),
        new("residual", "MLP: add each hidden layer's input to its output, through a linear projection where the widths differ; helps deeper nets train.", c => c.Residual, (c, n, r) => c with { Residual = r.Bool(n) }),
        new("ensemble", "mlp and tabular: members of a parameter-efficient ensemble (TabM, Gorishniy et al. 2025): the hidden layers' weights are shared, each member scales every layer's inputs and outputs its own way and has its own biases and head; they train on the mean of their losses and predict the mean of their probabilities (values). lathe init writes 32 for tables under 20,000 rows (docs/benchmarks.md); training costs about k times a network's arithmetic per row. 0 or 1: one network. Works with norm none or layer and residual false.", c => c.Ensemble, (c, n, r) => c with { Ensemble = r.Int(n) }),
        new("number_embedding", "With prepare.piecewise_linear_bins: each number's bins go through a linear layer and ReLU of their own into this many values before the hidden layers (Gorishniy et al. 2022), so every number gets a learned, bent response; other columns pass as they are. lathe init writes 16 for tables it encodes piecewise-linearly, 0 for a regression (docs/benchmarks.md); 0 feeds the bins straight into the first hidden layer.", c => c.NumberEmbedding, (c, n, r) => c with { NumberEmbedding = r.Int(n) }),
        new("kernel", "CNN and resnet: side of each square convolution kernel (resnet pads it to keep the size).", c => c.Kernel, (c, n, r) => c with { Kernel = r.Int(n) }),
        new("stride", "CNN: convolution stride; 2 halves the image in the convolution itself.", c => c.Stride, (c, n, r) => c with { Stride = r.Int(n) }),
        new("padding", "CNN: zero padding on each side before each convolution; kernel / 2 keeps the size at stride 1.", c => c.Padding, (c, n, r) => c with { Padding = r.Int(n) }),
        new("pooling", "CNN: the 2x2 pooling that ends each block, halving the image; none keeps the size.", c => c.Pooling, (c, n, r) => c with { Pooling = r.Enum<PoolingKind>(n) }),
        new("batch_norm", "CNN and resnet: batch norm after each convolution; false gives the convolutions a bias instead.", c => c.BatchNorm, (c, n, r) => c with { BatchNorm = r.Bool(n) }),
        new("category_embedding", "tabular and text kinds: embedding width of every categorical column; 0 picks min(600, round(1.6 * n^0.56)) for a column of n categories (fastai's rule).", c => c.CategoryEmbedding, (c, n, r) => c with { CategoryEmbedding = r.Int(n) }),
        new("embedding", "Text kinds: token embedding width; for transformer also the model width (a multiple of heads).", c => c.Embedding, (c, n, r) => c with { Embedding = r.Int(n) }),
        new("hidden", "lstm and gru: hidden state width of each direction.", c => c.Hidden, (c, n, r) => c with { Hidden = r.Int(n) }),
        new("sequence_layers", "Text kinds: stacked recurrent layers, or transformer encoder layers.", c => c.SequenceLayers, (c, n, r) => c with { SequenceLayers = r.Int(n) }),
        new("bidirectional", "lstm and gru: read each text both ways (the pooled vector doubles).", c => c.Bidirectional, (c, n, r) => c with { Bidirectional = r.Bool(n) }),
        new("heads", "transformer: attention heads.", c => c.Heads, (c, n, r) => c with { Heads = r.Int(n) }),
        new("feedforward", "transformer: width of each layer's feed-forward part.", c => c.Feedforward, (c, n, r) => c with { Feedforward = r.Int(n) }),
        new("sequence_pooling", "transformer: mean (over the real tokens) or cls (a learned token in front); lstm and gru take the mean.", c => c.SequencePooling, (c, n, r) => c with { SequencePooling = r.Enum<SequencePooling>(n) }),
        new("max_length", "Text kinds: most tokens per text; each text column keeps the 95th percentile of its training texts' lengths, up to this.", c => c.MaxLength, (c, n, r) => c with { MaxLength = r.Int(n) }),
        new("text_encoder", "cnn and resnet (and auto over an image) with text columns beside the image: tfidf reads them as TF-IDF features, as tables do; lstm, gru or transformer read each as token ids through that sequence encoder, configured by the text kinds' keys (embedding, hidden, sequence_layers, bidirectional, heads, feedforward, sequence_pooling, max_length).", c => c.TextEncoder, (c, n, r) => c with { TextEncoder = r.Enum<TextEncoderKind>(n) }));

    public static readonly ConfigSection<TrainingConfig> Training = new(
        "How the model is trained.",
        new("epochs", "Most passes over the training rows.", c => c.Epochs, (c, n, r) => c with { Epochs = r.Int(n) }),
        new("batch_size", "Rows per optimiser step.", c => c.BatchSize, (c, n, r) => c with { BatchSize = r.Int(n) }),
        new("learning_rate", "Optimiser step size, > 0; the peak for one_cycle and the start for cosine. `lathe lr-find CONFIG` suggests one.", c => c.LearningRate, (c, n, r) => c with { LearningRate = r.Double(n) }),
        new("optimizer", "Optimiser: adam, adamw (decoupled weight decay), sgd, rmsprop or adagrad.", c => c.Optimizer, (c, n, r) => c with { Optimizer = r.Enum<OptimizerKind>(n) }),
        new("momentum", "SGD only: momentum in [0, 1).", c => c.Momentum, (c, n, r) => c with { Momentum = r.Double(n) }),
        new("nesterov", "SGD only: Nesterov momentum (needs momentum > 0).", c => c.Nesterov, (c, n, r) => c with { Nesterov = r.Bool(n) }),
        new("weight_decay", "Weight decay, >= 0: an L2 penalty in the gradient, or decoupled from it for adamw (0.01 is usual there).", c => c.WeightDecay, (c, n, r) => c with { WeightDecay = r.Double(n) }),
        new("clip_norm", "Scale the gradients down when their joint L2 norm exceeds this before each step; 0 is off.", c => c.ClipNorm, (c, n, r) => c with { ClipNorm = r.Double(n) }),
        new("loss", "Loss; auto is cross_entropy for classification and mse for regression. Classification: cross_entropy, binary_cross_entropy (two classes), focal; regression: mse, mae, huber.", c => c.Loss, (c, n, r) => c with { Loss = r.Enum<LossKind>(n) }),
        new("label_smoothing", "cross_entropy: share of each target spread evenly over all classes, in [0, 1); 0.1 is usual.", c => c.LabelSmoothing, (c, n, r) => c with { LabelSmoothing = r.Double(n) }),
        new("focal_gamma", "focal: γ in −(1 − p)^γ·log p, >= 0; larger ignores easy rows more, 0 is cross_entropy.", c => c.FocalGamma, (c, n, r) => c with { FocalGamma = r.Double(n) }),
        new("huber_delta", "huber: error (in standard deviations of the target) where the loss turns from squared to linear, > 0.", c => c.HuberDelta, (c, n, r) => c with { HuberDelta = r.Double(n) }),
        new("class_weights", "Classification: weight each class by inverse frequency on the training part (balanced), none, or auto (balanced when the metric is macro_f1 and the largest class has 3 or more times the rows of the smallest; with accuracy, weighting would trade the accuracy asked for against minority recall). The weights used are in metrics.json.", c => c.ClassWeights, (c, n, r) => c with { ClassWeights = r.Enum<ClassWeighting>(n) }),
        new("init", "Initial Linear and Conv weights (biases 0), seeded by seed: xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal, orthogonal, zeros; auto keeps PyTorch's defaults.", c => c.Init, (c, n, r) => c with { Init = r.Enum<InitKind>(n) }),
        new("schedule", "Learning-rate schedule: none; step (× step_gamma every step_size epochs); cosine (warm-up, then down to 0 over all epochs, per batch); one_cycle (up from learning_rate/25 to learning_rate over 30% of the batches, then down to learning_rate/250000); reduce_on_plateau (× plateau_factor when the validation loss, or the metric, stalls: plateau_monitor).", c => c.Schedule, (c, n, r) => c with { Schedule = r.Enum<ScheduleKind>(n) }),
        new("step_size", "step: epochs between reductions, >= 1.", c => c.StepSize, (c, n, r) => c with { StepSize = r.Int(n) }),
        new("step_gamma", "step: factor in (0, 1) applied every step_size epochs.", c => c.StepGamma, (c, n, r) => c with { StepGamma = r.Double(n) }),
        new("warmup_epochs", "cosine: epochs of linear warm-up from 0 (fractions allowed, counted in batches), less than epochs.", c => c.WarmupEpochs, (c, n, r) => c with { WarmupEpochs = r.Double(n) }),
        new("plateau_factor", "reduce_on_plateau: factor in (0, 1) applied to the learning rate.", c => c.PlateauFactor, (c, n, r) => c with { PlateauFactor = r.Double(n) }),
        new("plateau_patience", "reduce_on_plateau: epochs without a better watched value (plateau_monitor) before a reduction, >= 1; keep it below patience.", c => c.PlateauPatience, (c, n, r) => c with { PlateauPatience = r.Int(n) }),
        new("plateau_monitor", "reduce_on_plateau watches: loss (the validation loss, better when 0.01% lower, as PyTorch's threshold; the default) or metric (the validation metric early stopping uses, an equal metric with a lower loss counting as better). A metric on a small validation part stalls for epochs while the loss still falls.", c => c.PlateauMonitor, (c, n, r) => c with { PlateauMonitor = r.Enum<PlateauMonitor>(n) }),
        new("patience", "Stop after this many epochs without a better validation metric (an equal metric with a lower validation loss counts as better); 0 never stops early.", c => c.Patience, (c, n, r) => c with { Patience = r.Int(n) }),
        new("threads", "Engine threads; 0 uses every core. Bit-identical results need the same count.", c => c.Threads, (c, n, r) => c with { Threads = r.Int(n) }),
        new("checkpoint_every_steps", "Write checkpoints/last.ckpt every this many optimiser steps as well as at each epoch's end; 0: at epoch ends only.", c => c.CheckpointEverySteps, (c, n, r) => c with { CheckpointEverySteps = r.Int(n) }),
        new("max_minutes", "Wall-clock budget: training ends after the epoch during which this many minutes pass, keeping the best epoch as early stopping does; 0 is no limit. A time-limited run is not bit-reproducible.", c => c.MaxMinutes, (c, n, r) => c with { MaxMinutes = r.Double(n) }),
        new("cv", "Cross-validation: K >= 2 trains one model per fold over the training and validation rows (stratified for classification; whole groups with data.split.group; forward in time with data.split.time, each fold training on the past and validating on the next block; the test part untouched), reports every metric's mean ± std (console, cv.json, report.html), then trains the final model on the usual split; 0 is off.", c => c.Cv, (c, n, r) => c with { Cv = r.Int(n) }),
        new("threshold", "Multilabel: the probability from which a label is predicted, for every label (in (0, 1); 0.5 by default).", c => c.Threshold, (c, n, r) => c with { Threshold = r.Double(n) }),
        new("tune_threshold", "Multilabel: after training, set each label's threshold to the one that gives its best F1 on the validation part (stored in the bundle, used by evaluate, predict and serve) instead of threshold.", c => c.TuneThreshold, (c, n, r) => c with { TuneThreshold = r.Bool(n) }),
        new("calibrate", "Classification: after training, divide the logits by one temperature fitted on the validation part (the lowest log loss, with a mild pull towards 1 for small parts; stored in the bundle, used by evaluate, predict and serve). The predicted class never changes; the probabilities stop being under-confident, as label smoothing leaves them, or over-confident. false keeps the raw softmax.", c => c.Calibrate, (c, n, r) => c with { Calibrate = r.Bool(n) }));

    public static readonly ConfigSection<PipelineConfig> Root = new(
        "Lathe config.",
        new("task", "What to predict: classification, regression (one target or a list), or multilabel (a list of 0/1 columns, one per label); auto decides from the target column(s).", c => c.Task, (c, n, r) => c with { Task = r.Enum<TaskKind>(n) }),
        new("target", "The column to predict. Or a list of columns: several numeric targets (regression), or one 0/1, true/false or yes/no column per label (multilabel).", c => c.Targets.Count > 0 ? c.Targets : c.Target,
            (c, n, r) => n is YamlDotNet.RepresentationModel.YamlSequenceNode ? c with { Targets = r.StringList(n), Target = "" } : c with { Target = r.String(n), Targets = [] }),
        new("metric", "Success metric, used to pick the best epoch: accuracy or macro_f1 (classification), rmse, mae or r2 (regression; with several targets the mean over them), macro_f1 (multilabel).", c => c.Metric, (c, n, r) => c with { Metric = r.Enum<MetricKind>(n) }),
        new("seed", "Seed for the split (unless data.split.seed is set), the initial weights and the batch order: same seed, same data, same machine, same model.", c => c.Seed, (c, n, r) => c with { Seed = r.Int(n) }),
        new("data", "Where the data comes from and how it is split.", c => c.Data, (c, n, r) => c with { Data = r.Section(n, Data, c.Data) }),
        new("prepare", "How the data is cleaned and transformed.", c => c.Prepare, (c, n, r) => c with { Prepare = r.Section(n, Prepare, c.Prepare) }),
        new("augment", "Training-time augmentation.", c => c.Augment, (c, n, r) => c with { Augment = r.Section(n, Augment, c.Augment) }),
        new("model", "The network.", c => c.Model, (c, n, r) => c with { Model = r.Section(n, Model, c.Model) }),
        new("training", "How the model is trained.", c => c.Training, (c, n, r) => c with { Training = r.Section(n, Training, c.Training) }));

    public static IConfigSection? SectionOf(object value) => value switch
    {
        DataConfig => Data,
        DataSourceConfig => Source,
        SplitConfig => Split,
        ModelConfig => Model,
        PrepareConfig => Prepare,
        ImageConfig => Image,
        AugmentConfig => Augment,
        TrainingConfig => Training,
        PipelineConfig => Root,
        _ => null,
    };
}
