using Lathe.Config;
using Lathe.Data.Cleaning;
using Lathe.Data.Features;
using Lathe.Data.Schema;
using Lathe.Data.Transforms;

namespace Lathe.Data.Pipeline;

/// <summary>Everything learned from the training part to turn raw rows into model input: the input schema,
/// the fitted steps in order, and the feature layout. Plain data: it is saved in the bundle as
/// <c>pipeline.json</c> and reapplied identically at evaluation and prediction.</summary>
/// <remarks>With a <see cref="Layout"/> (the embedding network and the text encoders), rows are packed as numbers | category
/// codes | token ids; without one (the MLP, and every bundle from before layouts), categories are expanded one-hot.</remarks>
public sealed record FittedPipeline(DataSchema Schema, IReadOnlyList<IFittedStep> Steps, IReadOnlyList<string> FeatureNames, string? Image)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public InputLayout? Layout { get; init; }

    /// <summary>The tests that decided which of each date's calendar cycles <see cref="Schema"/> keeps (<c>prepare.date_parts: auto</c>);
    /// null when none ran. A record only: the schema's parts are what transforming reads.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DatePartTest>? DatePartTests { get; init; }

    /// <summary>The steps <c>prepare:</c> asks for, in order: text to token features, derive columns, drop sparse columns, impute, clip
    /// outliers, power-transform skewed numbers, bin them, scale them, encode them piecewise-linearly, encode the categories, select features,
    /// crop, gray and resize images, normalise them.</summary>
    /// <param name="train">The training rows with their target, and <paramref name="target"/> and <paramref name="seed"/>:
    /// what target encoding learns from.</param>
    /// <param name="model">The model config with its kind resolved: a text kind (lstm, gru, transformer) gets token-id
    /// sequences (<see cref="TextSequence"/>, up to <c>max_length</c> tokens) instead of TF-IDF features.</param>
    public static IReadOnlyList<IPipelineStep> StepsFor(PrepareConfig prepare, DataSchema schema, Table? train = null, FittedTarget? target = null, int seed = 0, ModelConfig? model = null)
    {
        var steps = new List<IPipelineStep>();
        // Text becomes token features first, so that imputation and encoding never take it for a category.
        var text = schema.Features.Where(c => c.Type == ColumnType.Text).Select(c => c.Name).ToArray();
        var tokenization = prepare.Text == TextHandling.Bpe ? TextTokenization.Bpe : TextTokenization.Words;
        if (text.Length > 0 && model is not null && model.ReadsTextAsSequences)
            steps.Add(new TextSequence(text, tokenization, prepare.TextVocabulary, TextNormalizationOf(prepare), model.MaxLength));
        else if (text.Length > 0)
            steps.Add(new TextVectorize(text, tokenization, prepare.TextVocabulary, TextNormalizationOf(prepare)));
        if (prepare.Derive.Count > 0) steps.Add(new DeriveFeatures(prepare.Derive));
        if (prepare.DropColumnsAbove < 1) steps.Add(new DropSparseColumns(prepare.DropColumnsAbove));
        steps.Add(new Impute(prepare.ImputeNumeric, prepare.ImputeCategorical, prepare.MissingIndicators, prepare.ImputeValue));
        // Before the numbers are clipped, transformed or scaled: the categories are the values as the data has them.
        if (prepare.ValueCategories > 0)
            steps.Add(new ValueCategories(prepare.ValueCategories, target ?? throw new ArgumentNullException(nameof(target), "value categories are tested against the target"),
                train ?? throw new ArgumentNullException(nameof(train)), seed));
        if (prepare.Outliers != OutlierMethod.None) steps.Add(new ClipOutliers(prepare.Outliers, prepare.OutlierThreshold));
        if (prepare.Transform != TransformKind.None) steps.Add(new PowerTransform(prepare.Transform));
        if (prepare.Bins > 0) steps.Add(new QuantileBin(prepare.Bins));
        if (prepare.Scale != ScaleKind.None) steps.Add(new Scale(prepare.Scale));
        // After scaling, so the encoding's columns stay in [0, 1]; quantile edges do not care how numbers were scaled.
        if (prepare.PiecewiseLinearBins > 0) steps.Add(new PiecewiseLinearEncode(prepare.PiecewiseLinearBins, prepare.PiecewiseLinearNumber));
        steps.Add(prepare.Encode switch
        {
            EncodeKind.Ordinal => new OrdinalEncode(),
            EncodeKind.Hashing => new HashEncode(prepare.HashBuckets),
            EncodeKind.Target => new TargetEncode(target ?? throw new ArgumentNullException(nameof(target), "target encoding learns from the target"),
                train ?? throw new ArgumentNullException(nameof(train)), prepare.TargetSmoothing, prepare.TargetFolds, seed),
            _ => new OneHotEncode(),
        });
        steps.Add(new SelectFeatures(prepare.DropCorrelated));
        steps.AddRange(ImageSteps(prepare.Image));
        steps.Add(new ImageNormalize());
        return steps;
    }

    public static TextNormalization TextNormalizationOf(PrepareConfig prepare) =>
        new(prepare.TextNfkc, prepare.TextLowercase, prepare.TextCollapseWhitespace);

    /// <summary>The image steps <c>prepare.image</c> asks for, in order: center crop, grayscale, resize.</summary>
    public static IEnumerable<IPipelineStep> ImageSteps(ImageConfig image)
    {
        if (image.Crop.Count > 0) yield return new ImageCrop(image.Crop);
        if (image.Grayscale) yield return new ImageGrayscale();
        if (image.Resize.Count > 0) yield return new ImageResize(image.Resize);
    }

    /// <param name="target">The fitted target, needed by target encoding (<c>prepare.encode: target</c>), whose folds <paramref name="seed"/> deals.</param>
    /// <param name="model">The model config with its kind resolved; none (or mlp, cnn, resnet) packs as before layouts.</param>
    public static FittedPipeline Fit(Table train, DataSchema schema, PrepareConfig? prepare = null, FittedTarget? target = null, int seed = 0, ModelConfig? model = null) =>
        FitTransform(train, schema, prepare, target, seed, model).Pipeline;

    /// <summary>Fits the pipeline on the training part, and returns with it the training part as the model should
    /// see it: what <see cref="TransformTable"/> gives for those rows, except where a step gives training rows
    /// out-of-fold values (target encoding). Use it for the training rows instead of transforming them again.</summary>
    public static (FittedPipeline Pipeline, Table Train) FitTransform(Table train, DataSchema schema, PrepareConfig? prepare = null, FittedTarget? target = null, int seed = 0, ModelConfig? model = null)
    {
        prepare ??= new PrepareConfig();
        // Which calendar cycles of each date to keep is learnt from the target, so on the rows being fitted (each fold's own in cross-validation).
        var dateTests = target is not null && prepare.DateParts == DatePartSelection.Auto ? DatePartScreening.Test(train, schema, target, seed) : [];
        schema = DatePartScreening.Narrow(schema, dateTests);
        var table = TypeCoercion.Apply(train, schema);
        var fitted = new List<IFittedStep>();
        foreach (var step in StepsFor(prepare, schema, train, target, seed, model))
        {
            IFittedStep fit;
            if (step is IFitTransformStep own) (fit, table) = own.FitTransform(table);
            else
            {
                fit = step.Fit(table);
                table = fit.Transform(table);
            }
            fitted.Add(fit);
        }
        var images = table.Columns.OfType<ImageColumn>().ToArray();
        var numbers = InputNames(table).ToArray();
        var tokens = table.Columns.OfType<TokenColumn>().ToArray();
        if (images.Length == 0 && numbers.Length == 0 && tokens.Length == 0)
            throw new DataException($"{train.Source}: no usable feature columns — every column is the target, excluded, free text or empty");
        // An image beside table or text columns, or beside another image: each image goes through its own CNN (or resnet)
        // body, the columns through embeddings, text through TF-IDF features or model.text_encoder's sequence encoder.
        var fused = images.Length > 1 || (images.Length == 1 && (numbers.Length > 0 || tokens.Length > 0));
        if (fused && model is not null && model.Kind is not (ModelKind.Cnn or ModelKind.Resnet))
            throw new DataException(images.Length > 1
                ? $"{train.Source}: model.kind is {ConfigNames.Of(model.Kind)}, which cannot read the {images.Length} image columns {string.Join(", ", images.Select(i => $"'{i.Name}'"))} — use cnn or resnet (or auto), which read each image with its own body and fuse them, or list all but one in data.exclude"
                : $"{train.Source}: model.kind is {ConfigNames.Of(model.Kind)}, which cannot read the image column '{images[0].Name}' beside the columns {string.Join(", ", table.Columns.Where(c => c is NumericColumn or OneHotColumn or TokenColumn).Select(c => c.Name).Take(8))} — use cnn or resnet (or auto), which read the image and fuse it with the columns' embeddings, or list the other columns in data.exclude");
        var layout = fused || (images.Length == 0 && model is not null && model.Kind.UsesLayout()) ? LayoutOf(table, fitted) : null;
        return (new FittedPipeline(schema, fitted, numbers, images.FirstOrDefault()?.Name) { Layout = layout, DatePartTests = dateTests.Count > 0 ? dateTests : null }, table);
    }

    /// <summary>The segmented layout of a transformed table: its numeric columns, its categorical columns with their
    /// codes, its token columns with their tokenizers' vocabularies, and its image column with its fitted normalisation.</summary>
    private static InputLayout LayoutOf(Table table, IReadOnlyList<IFittedStep> fitted)
    {
        var vocabularies = fitted.OfType<FittedTextSequence>().SelectMany(s => s.Columns).ToDictionary(c => c.Name, c => c.Tokenizer.Vocabulary.Count);
        var images = table.Columns.OfType<ImageColumn>().Select(i => new ImageInput(i.Name, i.Channels, i.Height, i.Width, i.Scale, i.Shift)).ToArray();
        return new InputLayout(
            table.Columns.Count(c => c is NumericColumn),
            table.Columns.OfType<OneHotColumn>().Select(c => new CategoricalInput(c.Name, c.Categories.Count + 1)).ToArray(),
            table.Columns.OfType<TokenColumn>().Select(c => new TextInput(c.Name, c.Length, vocabularies[c.Name])).ToArray())
        {
            Image = images.FirstOrDefault(),
            OtherImages = images.Length > 1 ? images[1..] : null,
        };
    }

    /// <summary>Raw rows → the model's input columns, named, before they are packed into one buffer.</summary>
    public Table TransformTable(Table raw)
    {
        var table = TypeCoercion.Apply(raw, Schema);
        foreach (var step in Steps) table = step.Transform(table);
        return table;
    }

    /// <summary>Each piecewise-linearly encoded number's bin columns, as positions in the packed row (<see cref="Pack"/>),
    /// in column order: what <c>model.number_embedding</c> embeds number by number. Empty without the encoding.</summary>
    /// <param name="input">The model's input columns (from <see cref="TransformTable"/> or <see cref="FitTransform"/>).</param>
    public IReadOnlyList<int[]> NumberGroups(Table input)
    {
        var encoded = Steps.OfType<FittedPiecewiseLinearEncode>().SelectMany(s => s.Columns).ToArray();
        if (encoded.Length == 0 || Image is not null && Layout is null) return [];
        // Positions as packed: with a layout the numbers come first, in column order; without one every column in turn.
        var positions = new Dictionary<string, int>();
        var at = 0;
        foreach (var column in input.Columns)
        {
            if (column is NumericColumn) positions[column.Name] = at++;
            else if (Layout is null && column is OneHotColumn o) at += o.Categories.Count;
        }
        return encoded
            .Select(c => Enumerable.Range(1, c.Bins).Select(c.ColumnName).Where(positions.ContainsKey).Select(n => positions[n]).ToArray())
            .Where(g => g.Length > 0).ToArray();
    }

    /// <summary>Raw rows → model input, exactly as in training.</summary>
    public Features Transform(Table raw) => Pack(TransformTable(raw));

    /// <summary>The model's input columns (from <see cref="TransformTable"/> or <see cref="FitTransform"/>) → one buffer.</summary>
    public Features Pack(Table table)
    {
        if (Layout is not null) return PackLayout(table, Layout);
        if (Image is not null) return Features.FromImages((ImageColumn)table[Image]);

        var inputs = table.Columns.Where(c => c is NumericColumn or OneHotColumn).ToArray();
        if (!HasFeatureNames(table))
            throw new InvalidOperationException($"{table.Source}: the fitted steps made the input columns {string.Join(", ", InputNames(table).Take(20))}…, not the {FeatureNames.Count} the model was fitted with");
        var width = FeatureNames.Count;
        var rows = table.RowCount;
        if ((long)rows * width > Array.MaxLength)
            throw new DataException($"{table.Source}: {rows:N0} rows × {width:N0} input columns is more than one buffer holds — predict in smaller batches, or use prepare.encode: hashing for wide categories");
        var values = GC.AllocateUninitializedArray<float>(rows * width);
        // Row by row, each row's span written once from start to end: the buffer is filled in one sequential
        // pass, split across the cores. Every cell is written, so the result does not depend on the split.
        var offsets = new int[inputs.Length];
        for (int c = 1, offset = 0; c < inputs.Length; c++) offsets[c] = offset += Width(inputs[c - 1]);
        Parallelism.For((rows + RowsPerChunk - 1) / RowsPerChunk, chunk =>
        {
            var end = Math.Min(rows, (chunk + 1) * RowsPerChunk);
            for (var r = chunk * RowsPerChunk; r < end; r++)
            {
                var row = values.AsSpan(r * width, width);
                for (var c = 0; c < inputs.Length; c++)
                {
                    switch (inputs[c])
                    {
                        case NumericColumn numbers:
                            row[offsets[c]] = (float)numbers.Values[r];
                            break;
                        case OneHotColumn categories:
                            var block = row.Slice(offsets[c], categories.Categories.Count);
                            block.Clear();
                            if (categories.Codes[r] >= 0) block[categories.Codes[r]] = 1;
                            break;
                    }
                }
            }
        });
        return Features.FromTable(rows, values, width);
    }

    private const int RowsPerChunk = 16_384;

    /// <summary>Packs rows as <paramref name="layout"/> says: numbers, then category codes (index + 1, 0 for none),
    /// then token ids, all as float32.</summary>
    private Features PackLayout(Table table, InputLayout layout)
    {
        var numbers = table.Columns.OfType<NumericColumn>().ToArray();
        var categories = table.Columns.OfType<OneHotColumn>().ToArray();
        var texts = table.Columns.OfType<TokenColumn>().ToArray();
        if (!HasFeatureNames(table) || numbers.Length != layout.Numeric
            || !categories.Select(c => (c.Name, c.Categories.Count + 1)).SequenceEqual(layout.Categorical.Select(c => (c.Name, c.Cardinality)))
            || !texts.Select(t => (t.Name, t.Length)).SequenceEqual(layout.Texts.Select(t => (t.Name, t.Length)))
            || !SameImages(table.Columns.OfType<ImageColumn>().ToArray(), layout.Images))
            throw new InvalidOperationException($"{table.Source}: the fitted steps made the input columns {string.Join(", ", table.Columns.Select(c => c.Name).Take(20))}, not the layout the model was fitted with");
        var images = layout.Images.Select(i => (ImageColumn)table[i.Name]).ToArray();
        var imageOffsets = layout.ImageOffsets();
        var width = layout.Width;
        var rows = table.RowCount;
        if ((long)rows * width > Array.MaxLength)
            throw new DataException($"{table.Source}: {rows:N0} rows × {width:N0} inputs is more than one buffer holds — predict in smaller batches, or use a smaller model.max_length");
        var values = GC.AllocateUninitializedArray<float>(rows * width);
        var offsets = layout.TextOffsets();
        Parallelism.For((rows + RowsPerChunk - 1) / RowsPerChunk, chunk =>
        {
            var end = Math.Min(rows, (chunk + 1) * RowsPerChunk);
            for (var r = chunk * RowsPerChunk; r < end; r++)
            {
                var row = values.AsSpan(r * width, width);
                for (var c = 0; c < numbers.Length; c++) row[c] = (float)numbers[c].Values[r];
                for (var c = 0; c < categories.Length; c++) row[layout.CategoricalStart + c] = categories[c].Codes[r] + 1;
                for (var t = 0; t < texts.Length; t++)
                {
                    var ids = texts[t].Row(r);
                    var into = row.Slice(offsets[t], ids.Length);
                    for (var i = 0; i < ids.Length; i++) into[i] = ids[i];
                }
                for (var m = 0; m < images.Length; m++)
                {
                    var image = images[m];
                    var size = image.PixelsPerImage;
                    var pixels = image.Pixels.AsSpan(r * size, size);
                    var normalised = row.Slice(imageOffsets[m], size);
                    for (var i = 0; i < size; i++) normalised[i] = pixels[i] * image.Scale + image.Shift;
                }
            }
        });
        return Features.FromTable(rows, values, width);
    }

    private static bool SameImages(IReadOnlyList<ImageColumn> columns, IReadOnlyList<ImageInput> inputs) =>
        columns.Count == inputs.Count && columns.Zip(inputs).All(p => p.First.Name == p.Second.Name && p.First.Channels == p.Second.Channels
            && p.First.Height == p.Second.Height && p.First.Width == p.Second.Width && p.First.Scale == p.Second.Scale && p.First.Shift == p.Second.Shift);

    private static int Width(Column column) => column is OneHotColumn o ? o.Categories.Count : 1;

    /// <summary>Whether the table's input columns are <see cref="FeatureNames"/>, in order (what
    /// <c>InputNames(table).SequenceEqual(FeatureNames)</c> says, without listing them: this runs for every request).</summary>
    private bool HasFeatureNames(Table table)
    {
        var at = 0;
        foreach (var column in table.Columns)
        {
            if (column is NumericColumn)
            {
                if (at >= FeatureNames.Count || !string.Equals(column.Name, FeatureNames[at++], StringComparison.Ordinal)) return false;
            }
            else if (column is OneHotColumn o)
            {
                foreach (var name in o.FeatureNames)
                    if (at >= FeatureNames.Count || !string.Equals(name, FeatureNames[at++], StringComparison.Ordinal)) return false;
            }
        }
        return at == FeatureNames.Count;
    }

    /// <summary>The names of a transformed table's input features, in the order they are packed: a numeric
    /// column is one feature, a one-hot column one per category.</summary>
    public static IEnumerable<string> InputNames(Table table) => table.Columns.SelectMany(c => c switch
    {
        NumericColumn => [c.Name],
        OneHotColumn o => o.FeatureNames,
        _ => Array.Empty<string>(),
    });
}
