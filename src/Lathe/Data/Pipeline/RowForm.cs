using Lathe.Data.Cleaning;
using Lathe.Data.Features;
using Lathe.Data.Schema;
using Lathe.Data.Transforms;

namespace Lathe.Data.Pipeline;

/// <summary>A fitted pipeline over a plain table (numbers, yes/no, category and date columns, categories hashed into
/// buckets, text weighed by TF-IDF or read as a sequence model's token ids, columns derived by formula, and pictures
/// beside the columns, normalised into the row),
/// compiled for one row at a time: each of the model's input cells is one raw field's value run through the steps' own
/// per-value functions, with no table, column or name made per row. A server packs a record with it without allocating;
/// <see cref="For"/> declines (null, with the reason) any pipeline with a step it has no row form for, and such a model
/// is served through <see cref="FittedPipeline.Transform"/> alone.</summary>
/// <remarks>The plan is made by following the steps over the columns' names and kinds, as <see cref="IFittedStep.Transform"/>
/// would over a table, and it is checked against the pipeline's own record of its output (<see cref="FittedPipeline.FeatureNames"/>
/// and <see cref="FittedPipeline.Layout"/>): a plan that does not end in the same cells is no plan. The arithmetic is the
/// steps' own methods (<see cref="ScaledColumn.Apply"/>, <see cref="FittedPiecewiseLinearEncode.Ramp"/>, …), so a row
/// packs bit for bit as the table path packs it; a test holds every row of real tables to that.</remarks>
public sealed class RowForm
{
    private readonly Cell[] _cells;

    private RowForm(IReadOnlyList<RowField> fields, Cell[] cells, int width, IReadOnlyDictionary<int, TextPlan>? texts = null,
        IReadOnlyDictionary<int, TokenSequenceShape>? sequences = null)
    {
        Fields = fields;
        _cells = cells;
        Width = width;
        Values = fields.Sum(f => f.Values);
        _dateParts = fields.Select(f => f.Type == ColumnType.DateTime ? f.Parts.Select(p => TypeCoercion.DatePartReader(p)!).ToArray() : []).ToArray();
        _texts = fields.Select((_, f) => texts?.GetValueOrDefault(f)).ToArray();
        _sequences = fields.Select((_, f) => sequences?.GetValueOrDefault(f)).ToArray();
    }

    private readonly Func<DateTime, double>[][] _dateParts;
    private readonly TextPlan?[] _texts;
    private readonly TokenSequenceShape?[] _sequences;

    /// <summary>Writes the text field <paramref name="field"/>'s values into <paramref name="values"/> at the field's
    /// <see cref="RowField.Offset"/>, one per <see cref="RowField.Parts"/>: its TF-IDF weights, one per feature token, as
    /// <see cref="FittedTextVectorize"/> weighs a text; or for a sequence model its token ids, cut and padded to the fitted
    /// length as <see cref="TokenSequenceShape.Encode"/> makes them. <paramref name="text"/> is as <see cref="TypeCoercion"/>
    /// leaves it (trimmed; null when missing, which weighs nothing and is all padding: the text steps come before any filling).</summary>
    public void Text(int field, string? text, Span<double> values)
    {
        if (_sequences[field] is { } shape)
        {
            var ids = values.Slice(Fields[field].Offset, shape.Length);
            // Padding is id 0.
            ids.Clear();
            var tokens = shape.Tokenizer.Encode(text);
            for (var i = 0; i < Math.Min(tokens.Length, shape.Length); i++) ids[i] = tokens[i];
            return;
        }
        var plan = _texts[field] ?? throw new ArgumentException($"field {field} is not a text field", nameof(field));
        var weights = values.Slice(Fields[field].Offset, plan.Vocabulary.Tokens.Count);
        weights.Clear();
        FittedTextVectorize.Weigh(plan.Vocabulary, plan.Features, text, _counts ??= [], weights);
    }

    // Each thread's scratch for a text's token counts: a served row is weighed on the request's thread.
    [ThreadStatic] private static Dictionary<int, int>? _counts;

    // Per field, for a picture beside the columns: where its pixels start in the row, how many, and their normalisation.
    private (int At, int Size, float Scale, float Shift)?[] Pictures { get; init; } = [];

    /// <summary>Writes the picture field <paramref name="field"/>'s pixels (channel first, at the model's size) into
    /// <paramref name="row"/> where the layout places them, normalised as the table path packs them: pixel × scale + shift.</summary>
    public void Picture(int field, ReadOnlySpan<byte> pixels, Span<float> row)
    {
        if (field >= Pictures.Length || Pictures[field] is not { } picture) throw new ArgumentException($"field {field} is not a picture beside the columns", nameof(field));
        if (pixels.Length != picture.Size) throw new ArgumentException($"{pixels.Length} pixels for a picture of {picture.Size}", nameof(pixels));
        var into = row.Slice(picture.At, picture.Size);
        for (var i = 0; i < into.Length; i++) into[i] = pixels[i] * picture.Scale + picture.Shift;
    }

    /// <summary>The raw fields a row gives, in the schema's order: what <see cref="Pack"/>'s values are.</summary>
    public IReadOnlyList<RowField> Fields { get; }

    /// <summary>How many values <see cref="Pack"/> takes: one per field, a date's one per part.</summary>
    public int Values { get; }

    /// <summary>Writes the date field <paramref name="field"/>'s parts (NaN for a missing date) into <paramref name="values"/>
    /// at the field's <see cref="RowField.Offset"/>, read off the date as <see cref="TypeCoercion"/> reads them.</summary>
    public void Date(int field, DateTime? date, Span<double> values)
    {
        var parts = _dateParts[field];
        var at = Fields[field].Offset;
        for (var p = 0; p < parts.Length; p++) values[at + p] = date is { } d ? parts[p](d) : double.NaN;
    }

    /// <summary>Values in a packed row: the model's input width.</summary>
    public int Width { get; }

    /// <summary>Packs one row. <paramref name="values"/> holds, per field of <see cref="Fields"/> at its <see cref="RowField.Offset"/>:
    /// a number (NaN when missing), a yes/no value as 1 or 0 (NaN when missing), a category's index in its field's
    /// <see cref="RowField.Categories"/> (NaN when missing), or a date's parts (<see cref="Date"/>).</summary>
    public void Pack(ReadOnlySpan<double> values, Span<float> row)
    {
        if (values.Length != Values) throw new ArgumentException($"{values.Length} values for {Values}", nameof(values));
        if (row.Length != Width) throw new ArgumentException($"a row of {row.Length} for an input of {Width}", nameof(row));
        foreach (var cell in _cells) cell.Write(values, row);
    }

    /// <summary>The row form of <paramref name="pipeline"/>, or null with <paramref name="why"/> saying which column or step has none.</summary>
    public static RowForm? For(FittedPipeline pipeline, out string why)
    {
        try
        {
            why = "";
            return Plan(pipeline);
        }
        catch (NoRowForm e)
        {
            why = e.Message;
            return null;
        }
    }

    /// <summary>For a pipeline whose one feature is an image: the image's normalisation (value = pixel × scale + shift), which
    /// <see cref="Images"/> gives a request's pixels. Null for a table's row form.</summary>
    public (float Scale, float Shift)? Image { get; private init; }

    /// <summary>One picture's model input: its channel-first pixels with the fitted normalisation, as the table path gives it.</summary>
    public Features Images(byte[] pixels, int channels, int height, int width) =>
        Image is { } normalisation
            ? Features.FromImages(new ImageColumn(Fields[0].Name, pixels, channels, height, width, normalisation.Scale, normalisation.Shift))
            : throw new InvalidOperationException("this row form packs table rows, not images");

    private static RowForm Plan(FittedPipeline pipeline)
    {
        if (pipeline.Image is not null && pipeline.Layout is null) return PlanImage(pipeline);
        // Each category field takes the categories its encoding learnt: a value outside them is for the table path to judge.
        var encoded = pipeline.Steps.SelectMany(s => s switch
        {
            FittedOneHotEncode o => o.Columns.Select(c => (c.Name, c.Categories)),
            FittedOrdinalEncode o => o.Columns.Select(c => (c.Name, c.Categories)),
            FittedTargetEncode t => t.Columns.Select(c => (c.Name, c.Categories)),
            _ => [],
        }).GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First().Categories, StringComparer.Ordinal);
        // Category fields hashed into buckets, by name: the row gives such a field its category's bucket.
        var hashed = pipeline.Steps.OfType<FittedHashEncode>().SelectMany(h => h.Columns.Select(c => (Name: c, h.Buckets)))
            .GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First().Buckets, StringComparer.Ordinal);
        // Text fields weighed by TF-IDF, by name: a text is read only so.
        var vectorized = pipeline.Steps.OfType<FittedTextVectorize>().SelectMany(v => v.Columns)
            .GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        // Text fields a sequence model reads as token ids, by name.
        var sequenced = pipeline.Steps.OfType<FittedTextSequence>().SelectMany(v => v.Columns)
            .GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var fields = new List<RowField>();
        var slots = new List<Slot>();
        var index = 0;
        foreach (var spec in pipeline.Schema.Features)
        {
            switch (spec.Type)
            {
                case ColumnType.Numeric:
                case ColumnType.Boolean:
                    fields.Add(new RowField(spec.Name, spec.Type, [], [], index));
                    slots.Add(new NumberSlot(spec.Name, index++, []));
                    break;
                case ColumnType.Categorical when hashed.TryGetValue(spec.Name, out var buckets):
                    fields.Add(new RowField(spec.Name, spec.Type, [], [], index) { Buckets = buckets });
                    slots.Add(new HashSlot(spec.Name, index++, null));
                    break;
                case ColumnType.Categorical:
                    // Only categories a coerced value could be: trimmed, and not a spelling of "missing".
                    var categories = encoded.GetValueOrDefault(spec.Name, []).Where(c => c == c.Trim() && !Schema.Values.IsMissing(c)).ToArray();
                    fields.Add(new RowField(spec.Name, spec.Type, categories, [], index));
                    slots.Add(new CategorySlot(spec.Name, index++, [.. categories, null]));
                    break;
                case ColumnType.DateTime:
                    // One column per part, named as TypeCoercion names them.
                    var parts = spec.DateParts ?? TypeCoercion.FirstDateParts;
                    if (parts.Any(p => TypeCoercion.DatePartReader(p) is null)) throw new NoRowForm($"column '{spec.Name}' has a date part this Lathe does not know");
                    fields.Add(new RowField(spec.Name, spec.Type, [], parts, index));
                    foreach (var part in parts) slots.Add(new NumberSlot($"{spec.Name}.{part}", index++, []));
                    break;
                case ColumnType.Text when vectorized.TryGetValue(spec.Name, out var vocabulary):
                    // One value per feature token, its weight: the TF-IDF step then finds them made.
                    var tokens = vocabulary.Words.Select(w => $"{spec.Name}:{w}").ToArray();
                    fields.Add(new RowField(spec.Name, spec.Type, [], tokens, index));
                    slots.Add(new TextSlot(spec.Name, index));
                    index += tokens.Length;
                    break;
                case ColumnType.Text when sequenced.TryGetValue(spec.Name, out var shape):
                    // One value per token position, its id: the sequence step then finds them made.
                    fields.Add(new RowField(spec.Name, spec.Type, [], Enumerable.Range(0, shape.Length).Select(i => $"{spec.Name}[{i}]").ToArray(), index));
                    slots.Add(new TextSlot(spec.Name, index));
                    index += shape.Length;
                    break;
                case ColumnType.Image:
                    // A picture beside the columns takes no value: its pixels go into the row where the layout places them (Picture).
                    fields.Add(new RowField(spec.Name, spec.Type, [], [], index));
                    slots.Add(new ImageSlot(spec.Name, fields.Count - 1, (1f / 255, 0)));
                    break;
                default:
                    throw new NoRowForm($"column '{spec.Name}' is {spec.Type.ToString().ToLowerInvariant()}");
            }
        }
        var texts = new Dictionary<int, TextPlan>();
        foreach (var step in pipeline.Steps) Follow(step, slots, texts);
        if (slots.OfType<TextSlot>().FirstOrDefault() is { } unread) throw new NoRowForm($"column '{unread.Name}' is text the steps do not weigh");
        var sequences = slots.OfType<TokenSlot>().ToDictionary(t => t.Field, t => t.Shape);
        return Check(pipeline, fields, slots, texts, sequences);
    }

    /// <summary>A pipeline of one image and nothing else: every step but the image's normalisation must find no column of its own.</summary>
    private static RowForm PlanImage(FittedPipeline pipeline)
    {
        if (pipeline.Schema.Features.ToArray() is not [{ Type: ColumnType.Image } image] || pipeline.Layout is not null)
            throw new NoRowForm("the model reads an image beside other columns");
        (float, float) normalisation = (1f / 255, 0);
        var slots = new List<Slot>();
        foreach (var step in pipeline.Steps)
        {
            if (step is FittedImageNormalize { Columns: [var only] } && only.Name == image.Name) normalisation = only.Normalisation();
            else Follow(step, slots, new Dictionary<int, TextPlan>());
        }
        if (slots.Count > 0 || pipeline.FeatureNames.Count > 0) throw new NoRowForm("the model reads columns beside its image");
        return new RowForm([new RowField(image.Name, ColumnType.Image, [], [], 0)], [], 0) { Image = normalisation };
    }

    /// <summary>What <paramref name="step"/> does to the columns, done to the slots.</summary>
    private static void Follow(IFittedStep step, List<Slot> slots, Dictionary<int, TextPlan> texts)
    {
        switch (step)
        {
            case FittedDeriveFeatures derive:
                foreach (var column in derive.Columns)
                {
                    if (slots.Any(s => s.Name == column.Name)) throw new NoRowForm($"derived column '{column.Name}' would replace an existing column");
                    // Read off the fields' typed values, as the step reads the typed columns (it comes before any number step).
                    var read = Expression.Parse(column.Formula).Compile(name => slots[IndexOf(slots, name)] is NumberSlot { Maps.Length: 0 } number
                        ? number.Value
                        : throw new NoRowForm($"the formula for '{column.Name}' reads '{name}', which is not a number here"));
                    slots.Add(new NumberSlot(column.Name, -1, [], read));
                }
                break;
            case FittedDropColumns drop:
                foreach (var column in drop.Columns) slots.RemoveAt(IndexOf(slots, column.Name));
                break;
            case FittedImpute impute:
                foreach (var fill in impute.Columns)
                {
                    var at = IndexOf(slots, fill.Name);
                    switch (slots[at])
                    {
                        case NumberSlot number when fill.Number is { } value:
                            slots[at] = number.Then(v => double.IsNaN(v) ? value : v);
                            if (fill.Indicator) slots.Insert(at + 1, number.Then(v => double.IsNaN(v) ? 1 : 0) with { Name = $"{fill.Name}.missing" });
                            break;
                        case CategorySlot category when fill.Category is { } value:
                            slots[at] = category with { Values = category.Values.Select(v => v ?? value).ToArray() };
                            break;
                        case HashSlot hash when fill.Category is { } value:
                            slots[at] = hash with { Fill = value };
                            break;
                        // Texts are weighed (or made token ids) before the impute step; one filled first has no row form.
                        case TextSlot or TokenSlot when fill.Category is not null:
                            throw new NoRowForm($"the text column '{fill.Name}' is filled before it is weighed");
                    }
                }
                break;
            case FittedValueCategories categories:
                foreach (var column in categories.Columns)
                {
                    var at = IndexOf(slots, column.Name);
                    if (slots[at] is not NumberSlot number) throw new NoRowForm($"the value categories step names the column '{column.Name}', which is not a number here");
                    // The category's index is the number's value's place among the kept values, as the step labels them.
                    var index = new Dictionary<double, double>(column.Values.Count);
                    for (var k = 0; k < column.Values.Count; k++) index[column.Values[k]] = k;
                    slots.Insert(at + 1, new CategorySlot(column.ColumnName, number.Field, [.. column.Values.Select(ValueCategoryColumn.Label), null],
                        values => index.TryGetValue(ValueCategories.Key(number.Value(values)), out var k) ? k : double.NaN));
                }
                break;
            case FittedClipOutliers clip:
                foreach (var bounds in clip.Columns) Map(slots, bounds.Name, bounds.Apply);
                break;
            case FittedPowerTransform power:
                foreach (var column in power.Columns)
                {
                    IndexOf(slots, column.Name);
                    if (column.Method != Config.TransformKind.None) Map(slots, column.Name, column.Apply);
                }
                break;
            case FittedQuantileBin bin:
                foreach (var column in bin.Columns)
                {
                    var edges = column.Edges.ToArray();
                    Map(slots, column.Name, v => FittedQuantileBin.Bin(edges, v));
                }
                break;
            case FittedScale scale:
                if (scale.Method == Config.ScaleKind.None) break;
                foreach (var column in scale.Columns) Map(slots, column.Name, column.Apply);
                break;
            case FittedPiecewiseLinearEncode ple:
                foreach (var column in ple.Columns)
                {
                    var at = IndexOf(slots, column.Name);
                    if (slots[at] is not NumberSlot number) continue;
                    var edges = column.Edges.ToArray();
                    var bins = Enumerable.Range(0, column.Bins).Select(t =>
                    {
                        var (low, width) = (edges[t], edges[t + 1] - edges[t]);
                        return (Slot)number.Then(v => FittedPiecewiseLinearEncode.Ramp(v, low, width)) with { Name = column.ColumnName(t + 1) };
                    });
                    slots.RemoveAt(at);
                    slots.InsertRange(at, ple.KeepNumber ? [number, .. bins] : bins);
                }
                break;
            case FittedOneHotEncode oneHot:
                foreach (var column in oneHot.Columns)
                    if (Encoded(slots, column) is { } encoded)
                        slots[encoded.At] = new OneHotSlot(column.Name, encoded.Category.Field, encoded.Codes, column.Categories.Select(c => OneHotColumn.FeatureName(column.Name, c)).ToArray(), encoded.Category.Source);
                break;
            case FittedOrdinalEncode ordinal:
                foreach (var column in ordinal.Columns)
                {
                    if (Encoded(slots, column) is not { } encoded) continue;
                    // The field's value is its category's index, the last entry standing for a missing one.
                    var values = encoded.Codes.Select(k => (double)k).ToArray();
                    slots[encoded.At] = new NumberSlot(column.Name, encoded.Category.Field, [i => values[double.IsNaN(i) ? values.Length - 1 : (int)i]], encoded.Category.Source);
                }
                break;
            case FittedTargetEncode target:
                foreach (var column in target.Columns)
                {
                    var at = IndexOf(slots, column.Name);
                    if (slots[at] is not CategorySlot category) continue;
                    // Per category of the field (and last, a missing one): the values of the category it now holds, the
                    // training part's prior for one the encoding never saw.
                    var index = new Dictionary<string, int>(column.Categories.Count, StringComparer.Ordinal);
                    for (var k = 0; k < column.Categories.Count; k++) index[column.Categories[k]] = k;
                    var known = category.Values.Select(v => v is not null && index.TryGetValue(v, out var k) ? column.Values[k] : target.Prior).ToArray();
                    slots.RemoveAt(at);
                    slots.InsertRange(at, target.Outputs.Select((output, j) =>
                    {
                        var values = known.Select(v => v[j]).ToArray();
                        return (Slot)new NumberSlot($"{column.Name}.{output}", category.Field, [i => values[double.IsNaN(i) ? values.Length - 1 : (int)i]], category.Source);
                    }));
                }
                break;
            case FittedSelectFeatures select:
                var dropped = select.Dropped.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
                var found = 0;
                for (var at = 0; at < slots.Count; at++)
                {
                    switch (slots[at])
                    {
                        case NumberSlot number when dropped.Contains(number.Name):
                            slots.RemoveAt(at--);
                            found++;
                            break;
                        case OneHotSlot oneHot:
                            var remap = new int[oneHot.Features.Count];
                            var kept = new List<string>();
                            for (var k = 0; k < remap.Length; k++)
                            {
                                remap[k] = dropped.Contains(oneHot.Features[k]) ? -1 : kept.Count;
                                if (remap[k] >= 0) kept.Add(oneHot.Features[k]);
                            }
                            found += remap.Length - kept.Count;
                            slots[at] = oneHot with { Codes = oneHot.Codes.Select(c => c < 0 ? -1 : remap[c]).ToArray(), Features = kept };
                            break;
                    }
                }
                if (found != dropped.Count) throw new NoRowForm("feature selection names columns the steps before it did not make");
                break;
            case FittedImageNormalize normalize:
                foreach (var column in normalize.Columns)
                {
                    var at = IndexOf(slots, column.Name);
                    if (slots[at] is not ImageSlot image) throw new NoRowForm($"the image normalise step names the column '{column.Name}', which is not a picture here");
                    slots[at] = image with { Normalisation = column.Normalisation() };
                }
                break;
            case FittedHashEncode hash:
                foreach (var name in hash.Columns)
                {
                    var at = IndexOf(slots, name);
                    if (slots[at] is not HashSlot slot) continue;
                    // A field's value is its category's bucket; a missing one has the filled category's bucket, or none.
                    int[] codes = [.. Enumerable.Range(0, hash.Buckets), slot.Fill is { } fill ? HashEncode.Bucket(fill, hash.Buckets) : -1];
                    slots[at] = new OneHotSlot(name, slot.Field, codes, Enumerable.Range(0, hash.Buckets).Select(k => $"{name}#{k}").ToArray());
                }
                break;
            case FittedTextSequence sequence:
                foreach (var shape in sequence.Columns)
                {
                    var at = IndexOf(slots, shape.Name);
                    if (slots[at] is not TextSlot text) throw new NoRowForm($"the text sequence step names the column '{shape.Name}', which is not text here");
                    slots[at] = new TokenSlot(shape.Name, text.Field, shape);
                }
                break;
            case FittedTextVectorize vectorize:
                foreach (var vocabulary in vectorize.Columns)
                {
                    var at = IndexOf(slots, vocabulary.Name);
                    if (slots[at] is not TextSlot text) throw new NoRowForm($"the text step names the column '{vocabulary.Name}', which is not text here");
                    texts[text.Field] = new TextPlan(vocabulary);
                    slots.RemoveAt(at);
                    slots.InsertRange(at, vocabulary.Words.Select((w, k) => (Slot)new NumberSlot($"{vocabulary.Name}:{w}", text.Field + k, [])));
                }
                break;
            default:
                throw new NoRowForm($"no row form for the step {step.GetType().Name.Replace("Fitted", "")}");
        }
    }

    /// <summary>The category column an encoding step names, and the code it gives each of the field's categories (and last,
    /// a missing one): the category's index in the step's list, −1 for none. Null where the column is not a category (the step leaves it).</summary>
    private static (int At, CategorySlot Category, int[] Codes)? Encoded(List<Slot> slots, EncodedColumn column)
    {
        var at = IndexOf(slots, column.Name);
        if (slots[at] is not CategorySlot category) return null;
        var index = new Dictionary<string, int>(column.Categories.Count, StringComparer.Ordinal);
        for (var k = 0; k < column.Categories.Count; k++) index[column.Categories[k]] = k;
        return (at, category, category.Values.Select(v => v is not null && index.TryGetValue(v, out var k) ? k : -1).ToArray());
    }

    private static int IndexOf(List<Slot> slots, string name)
    {
        var at = slots.FindIndex(s => s.Name == name);
        return at >= 0 ? at : throw new NoRowForm($"a step names the column '{name}', which the steps before it did not make");
    }

    /// <summary>A number step's function applied to the number column <paramref name="name"/> (a step leaves other kinds as they are).</summary>
    private static void Map(List<Slot> slots, string name, Func<double, double> map)
    {
        var at = IndexOf(slots, name);
        if (slots[at] is NumberSlot number) slots[at] = number.Then(map);
    }

    /// <summary>The cells as <see cref="FittedPipeline.Pack"/> lays them out, once the slots are found to end where the
    /// fitted pipeline's own record of its input says they must.</summary>
    private static RowForm Check(FittedPipeline pipeline, List<RowField> fields, List<Slot> slots, Dictionary<int, TextPlan> texts,
        Dictionary<int, TokenSequenceShape> sequences)
    {
        var numbers = slots.OfType<NumberSlot>().ToArray();
        var oneHots = slots.OfType<OneHotSlot>().ToArray();
        var tokens = slots.OfType<TokenSlot>().ToArray();
        var names = slots.SelectMany(s => s switch
        {
            NumberSlot n => [n.Name],
            OneHotSlot o => o.Features,
            _ => Array.Empty<string>(),
        }).ToArray();
        if (!names.SequenceEqual(pipeline.FeatureNames, StringComparer.Ordinal))
            throw new NoRowForm($"the planned inputs ({string.Join(", ", names.Take(8))}…) are not the {pipeline.FeatureNames.Count} the model was fitted with");
        var cells = new List<Cell>();
        if (pipeline.Layout is { } layout)
        {
            var images = slots.OfType<ImageSlot>().ToArray();
            if (!images.Select(i => (i.Name, i.Normalisation)).SequenceEqual(layout.Images.Select(i => (i.Name, (i.Scale, i.Shift)))))
                throw new NoRowForm("the planned pictures are not the layout's");
            if (layout.Numeric != numbers.Length || !oneHots.Select(o => (o.Name, o.Features.Count + 1)).SequenceEqual(layout.Categorical.Select(c => (c.Name, c.Cardinality)))
                || !tokens.Select(t => (t.Name, t.Shape.Length)).SequenceEqual(layout.Texts.Select(t => (t.Name, t.Length))))
                throw new NoRowForm("the planned inputs are not the layout the model was fitted with");
            var at = 0;
            foreach (var number in numbers) cells.Add(new NumberCell(number, at++));
            foreach (var oneHot in oneHots) cells.Add(new CodeCell(oneHot, at++));
            var offsets = layout.TextOffsets();
            for (var t = 0; t < tokens.Length; t++) cells.Add(new TokenCell(tokens[t], offsets[t]));
            var pictures = new (int At, int Size, float Scale, float Shift)?[fields.Count];
            var starts = layout.ImageOffsets();
            for (var i = 0; i < images.Length; i++)
                pictures[images[i].Number] = (starts[i], layout.Images[i].Size, images[i].Normalisation.Scale, images[i].Normalisation.Shift);
            return new RowForm(fields, [.. cells], layout.Width, texts, sequences) { Pictures = pictures };
        }
        if (tokens.Length > 0) throw new NoRowForm("token ids without the layout that places them");
        if (slots.OfType<ImageSlot>().Any()) throw new NoRowForm("pictures without the layout that places them");
        var position = 0;
        foreach (var slot in slots)
        {
            switch (slot)
            {
                case NumberSlot number:
                    cells.Add(new NumberCell(number, position++));
                    break;
                case OneHotSlot oneHot:
                    cells.Add(new OneHotCell(oneHot, position));
                    position += oneHot.Features.Count;
                    break;
            }
        }
        return new RowForm(fields, [.. cells], position, texts);
    }

    private sealed class NoRowForm(string message) : Exception(message);

    /// <summary>A column as the steps leave it, in terms of the value it came from (its index in <see cref="Pack"/>'s values).</summary>
    private abstract record Slot(string Name, int Field);

    /// <summary>A number column: the field's value (or for a derived column, its formula's, <see cref="Source"/>) through
    /// <see cref="Maps"/>, in order.</summary>
    private sealed record NumberSlot(string Name, int Field, Func<double, double>[] Maps, Expression.RowValue? Source = null) : Slot(Name, Field)
    {
        public NumberSlot Then(Func<double, double> map) => this with { Maps = [.. Maps, map] };

        public double Value(ReadOnlySpan<double> values)
        {
            var v = Source is null ? values[Field] : Source(values);
            foreach (var map in Maps) v = map(v);
            return v;
        }
    }

    /// <summary>A picture beside the columns: the field <see cref="Number"/> of <see cref="Fields"/>, and its pixels'
    /// normalisation (value = pixel × scale + shift).</summary>
    private sealed record ImageSlot(string Name, int Number, (float Scale, float Shift) Normalisation) : Slot(Name, -1);

    /// <summary>A text column before its TF-IDF or sequence step.</summary>
    private sealed record TextSlot(string Name, int Field) : Slot(Name, Field);

    /// <summary>A text column as token ids: the field's <see cref="TokenSequenceShape.Length"/> values, from <see cref="Field"/> on.</summary>
    private sealed record TokenSlot(string Name, int Field, TokenSequenceShape Shape) : Slot(Name, Field);

    /// <summary>A text field's weighing: its vocabulary, and each feature token's index by token id.</summary>
    private sealed class TextPlan(TextVocabulary vocabulary)
    {
        public TextVocabulary Vocabulary { get; } = vocabulary;
        public IReadOnlyDictionary<int, int> Features { get; } = FittedTextVectorize.FeatureIndex(vocabulary);
    }

    /// <summary>A category column to be hashed: the field's value is its category's bucket; <see cref="Fill"/> is the category a
    /// missing one is given (by the impute step), or null.</summary>
    private sealed record HashSlot(string Name, int Field, string? Fill) : Slot(Name, Field);

    /// <summary>A category column: per category of the field (and last, for a missing one) the value it now holds. The
    /// category's index is the field's value, or where a number's values are its categories (<see cref="FittedValueCategories"/>),
    /// <see cref="Source"/>'s: the index of the number's value among them, NaN for none.</summary>
    private sealed record CategorySlot(string Name, int Field, string?[] Values, Expression.RowValue? Source = null) : Slot(Name, Field);

    /// <summary>A one-hot column: per category of the field (and last, for a missing one) its feature's index, −1 for none;
    /// the category's index read as <see cref="CategorySlot"/> reads it.</summary>
    private sealed record OneHotSlot(string Name, int Field, int[] Codes, IReadOnlyList<string> Features, Expression.RowValue? Source = null) : Slot(Name, Field)
    {
        public int Code(ReadOnlySpan<double> values)
        {
            var index = Source is null ? values[Field] : Source(values);
            return double.IsNaN(index) ? Codes[^1] : Codes[(int)index];
        }
    }

    private abstract class Cell
    {
        public abstract void Write(ReadOnlySpan<double> values, Span<float> row);
    }

    private sealed class NumberCell(NumberSlot slot, int at) : Cell
    {
        public override void Write(ReadOnlySpan<double> values, Span<float> row) => row[at] = (float)slot.Value(values);
    }

    private sealed class OneHotCell(OneHotSlot slot, int at) : Cell
    {
        public override void Write(ReadOnlySpan<double> values, Span<float> row)
        {
            var block = row.Slice(at, slot.Features.Count);
            block.Clear();
            var code = slot.Code(values);
            if (code >= 0) block[code] = 1;
        }
    }

    /// <summary>A text's token ids, as float32 where the layout places them.</summary>
    private sealed class TokenCell(TokenSlot slot, int at) : Cell
    {
        public override void Write(ReadOnlySpan<double> values, Span<float> row)
        {
            var ids = values.Slice(slot.Field, slot.Shape.Length);
            var into = row.Slice(at, ids.Length);
            for (var i = 0; i < ids.Length; i++) into[i] = (float)ids[i];
        }
    }

    /// <summary>A category as the embedding network reads it: its index + 1, 0 for none.</summary>
    private sealed class CodeCell(OneHotSlot slot, int at) : Cell
    {
        public override void Write(ReadOnlySpan<double> values, Span<float> row) => row[at] = slot.Code(values) + 1;
    }
}

/// <summary>One raw field of a <see cref="RowForm"/>: its name, its type (numeric, boolean, categorical, a date or a text), for a
/// category the values a row may give it by index, for a date its parts, for a text its TF-IDF features' names or its
/// token positions (a sequence model's ids), and where
/// its values start in a packed row's values.</summary>
public sealed record RowField(string Name, ColumnType Type, IReadOnlyList<string> Categories, IReadOnlyList<string> Parts, int Offset)
{
    /// <summary>For a category hashed into buckets (<c>prepare.encode: hashing</c>), how many: a row gives the field its
    /// category's bucket (<see cref="HashEncode.Bucket"/> of the category as <see cref="TypeCoercion"/> leaves it), not an
    /// index in <see cref="Categories"/>, which is empty. 0 for any other field.</summary>
    public int Buckets { get; init; }

    /// <summary>Values the field takes in <see cref="RowForm.Pack"/>: a date's parts, a text's feature tokens, none for an image, or one.</summary>
    public int Values => Type switch
    {
        ColumnType.DateTime or ColumnType.Text => Parts.Count,
        ColumnType.Image => 0,
        _ => 1,
    };
}
