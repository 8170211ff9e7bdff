using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;

namespace Lathe.Tests.Data.Pipeline;

/// <summary>The row form packs every row of real tables bit for bit as the fitted pipeline's table path does, over the
/// steps it has a row form for, and declines the pipelines it has none for.</summary>
public class RowFormTests
{
    public static TheoryData<string> Cases => ["penguins", "penguins-mlp", "penguins-every-number-step", "penguins-ple-robust", "penguins-tabular", "gapminder", "cars", "seattle-weather", "movies-text", "movies-bpe", "penguins-target-encoded", "movies-init", "movies-lstm", "movies-transformer-bpe", "penguins-derived", "penguins-hashed", "cars-value-categories", "cars-value-categories-tabular", "cars-value-categories-target", "cars-value-categories-ordinal"];

    private static PipelineConfig Config(string name)
    {
        var penguins = TestData.Penguins();
        var mlp = new ModelConfig { Kind = ModelKind.Mlp, Layers = [16] };
        return name switch
        {
            "penguins" => penguins,
            "penguins-mlp" => penguins with { Model = mlp },
            "penguins-every-number-step" => penguins with
            {
                Model = mlp,
                Prepare = new PrepareConfig
                {
                    Outliers = OutlierMethod.Iqr, Transform = TransformKind.YeoJohnson, Bins = 8, Scale = ScaleKind.Minmax,
                    MissingIndicators = true, Encode = EncodeKind.Ordinal,
                },
            },
            "penguins-ple-robust" => penguins with
            {
                Prepare = new PrepareConfig { PiecewiseLinearBins = 16, PiecewiseLinearNumber = true, Scale = ScaleKind.Robust, ImputeCategorical = CategoricalImputation.Missing, Transform = TransformKind.Log },
            },
            // The embedding network's layout: numbers, then category codes.
            "penguins-tabular" => penguins with
            {
                Model = new ModelConfig { Kind = ModelKind.Tabular, Layers = [16] },
                Prepare = new PrepareConfig { PiecewiseLinearBins = 8, MissingIndicators = true },
            },
            "gapminder" => penguins with { Target = "life_expect", Task = TaskKind.Regression, Data = new DataConfig { Path = TestData.Vega("gapminder.json") } },
            // A date's calendar parts, those the screening kept.
            "cars" => penguins with { Target = "Origin", Data = new DataConfig { Path = TestData.Vega("cars.json"), Exclude = ["Name"] } },
            // Displacement's values as categories beside the number: one-hot, as the embedding network's codes, target-encoded, ordinal.
            "cars-value-categories" => CarsValues(penguins, EncodeKind.OneHot) with { Model = mlp },
            "cars-value-categories-tabular" => CarsValues(penguins, EncodeKind.OneHot) with { Model = new ModelConfig { Kind = ModelKind.Tabular, Layers = [16] } },
            "cars-value-categories-target" => CarsValues(penguins, EncodeKind.Target) with { Model = mlp },
            "cars-value-categories-ordinal" => CarsValues(penguins, EncodeKind.Ordinal) with { Model = mlp },
            "seattle-weather" => penguins with { Target = "weather", Data = new DataConfig { Path = TestData.Vega("seattle-weather.csv") }, Prepare = new PrepareConfig { DateParts = DatePartSelection.All } },
            // Titles weighed by TF-IDF over words, and over BPE subwords.
            "movies-text" => penguins with { Target = "Major Genre", Data = new DataConfig { Path = TestData.Vega("movies.json") }, Prepare = new PrepareConfig { Text = TextHandling.Words } },
            "movies-bpe" => penguins with { Target = "Major Genre", Data = new DataConfig { Path = TestData.Vega("movies.json") }, Prepare = new PrepareConfig { Text = TextHandling.Bpe, TextVocabulary = 300 } },
            // Categories as their classes' smoothed shares (three outputs each), then scaled.
            "penguins-target-encoded" => penguins with { Prepare = new PrepareConfig { Encode = EncodeKind.Target } },
            // What `lathe init` writes for movies (its many directors target-encoded, numbers in piecewise-linear bins), with titles as words.
            "movies-init" => InitialConfig.For(TestData.Vega("movies.json"), "Major Genre", TestData.TempDirectory()).Config is var init
                // Its data path is written relative to the config's folder; here the path is the file's own.
                ? init with { Data = init.Data with { Path = TestData.Vega("movies.json") }, Prepare = init.Prepare with { Text = TextHandling.Words }, Training = penguins.Training }
                : throw new InvalidOperationException(),
            // Titles as a sequence model's token ids beside the embedded categories and the numbers.
            "movies-lstm" => penguins with { Target = "Major Genre", Data = new DataConfig { Path = TestData.Vega("movies.json") }, Prepare = new PrepareConfig { Text = TextHandling.Words }, Model = new ModelConfig { Kind = ModelKind.Lstm } },
            "movies-transformer-bpe" => penguins with { Target = "Major Genre", Data = new DataConfig { Path = TestData.Vega("movies.json") }, Prepare = new PrepareConfig { Text = TextHandling.Bpe, TextVocabulary = 300 }, Model = new ModelConfig { Kind = ModelKind.Transformer, MaxLength = 12 } },
            // Derived columns: of two fields, of a derived one (missing where a beak is), and through every function.
            "penguins-derived" => penguins with
            {
                Model = mlp,
                Prepare = new PrepareConfig
                {
                    // Kept all, though they correlate with their fields.
                    DropCorrelated = 1,
                    Derive = new Dictionary<string, string>
                    {
                        ["beak_ratio"] = "`Beak Length (mm)` / `Beak Depth (mm)`",
                        ["bulk"] = "log(`Body Mass (g)`) - sqrt(`Flipper Length (mm)`) ^ 2 / 1e3 + beak_ratio * -2",
                        ["odd"] = "max(abs(log1p(beak_ratio) - 1), min(exp(`Beak Depth (mm)` / 10), 6))",
                    },
                },
            },
            // Categories hashed into 4 buckets (island and sex share some), a missing sex filled first.
            "penguins-hashed" => penguins with { Model = mlp, Prepare = new PrepareConfig { Encode = EncodeKind.Hashing, HashBuckets = 4 } },
            _ => throw new ArgumentException(name),
        };
    }

    private static PipelineConfig CarsValues(PipelineConfig penguins, EncodeKind encode) => penguins with
    {
        Target = "Origin",
        Data = new DataConfig { Path = TestData.Vega("cars.json"), Exclude = ["Name"] },
        Prepare = new PrepareConfig { ValueCategories = 64, PiecewiseLinearBins = 32, Encode = encode },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_row_of_a_real_table_packs_bit_for_bit_as_the_table_path_packs_it(string name)
    {
        var prepared = Preparation.Run(Config(name), TestData.TempDirectory());
        var pipeline = prepared.Pipeline;
        var form = RowForm.For(pipeline, out var why);
        Assert.True(form is not null, why);
        Assert.Equal(pipeline.Schema.Features.Select(f => f.Name), form.Fields.Select(f => f.Name));
        var sequences = name is "movies-lstm" or "movies-transformer-bpe";
        Assert.Equal(name is "penguins-tabular" or "cars-value-categories-tabular" || sequences, pipeline.Layout is not null);
        Assert.Equal(sequences, pipeline.Layout?.Texts.Count > 0);
        Assert.Equal(name is "penguins-target-encoded" or "movies-init" or "cars-value-categories-target", pipeline.Steps.OfType<Lathe.Data.Transforms.FittedTargetEncode>().Any(t => t.Columns.Count > 0));
        Assert.Equal(name.StartsWith("cars-value", StringComparison.Ordinal), pipeline.Steps.OfType<Lathe.Data.Transforms.FittedValueCategories>().Any(v => v.Columns.Any(c => c.Name == "Displacement")));
        Assert.Equal(name.StartsWith("movies", StringComparison.Ordinal) && !sequences, pipeline.Steps.Any(s => s is Lathe.Data.Transforms.FittedTextVectorize));

        if (name == "penguins-derived") Assert.Equal(["beak_ratio", "bulk", "odd"], pipeline.FeatureNames.Where(n => n is "beak_ratio" or "bulk" or "odd"));
        var packed = 0;
        var rows = 0;
        foreach (var part in new[] { prepared.Validation, prepared.Test })
        {
            var whole = pipeline.Transform(part);
            var width = form.Width;
            Assert.Equal(whole.Values!.Length, part.RowCount * width);
            var coerced = TypeCoercion.Apply(part, pipeline.Schema);
            var values = new double[form.Values];
            var row = new float[width];
            for (var r = 0; r < part.RowCount; r++, rows++)
            {
                if (!Values(form, part, coerced, r, values)) continue;
                form.Pack(values, row);
                var expected = whole.Values.AsSpan(r * width, width);
                for (var i = 0; i < width; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(row[i]),
                        $"{name}, row {r}, input {i} ({(pipeline.Layout is null ? pipeline.FeatureNames[i] : $"position {i}")}): the table path gives {expected[i]:R}, the row form {row[i]:R}");
                packed++;
            }
        }
        // Only a row with a category the training part never saw is left to the table path (movies' directors and
        // distributors are many, so more of its rows have one).
        Assert.True(packed >= rows * (name.StartsWith("movies", StringComparison.Ordinal) ? 0.85 : 0.9), $"{name}: {packed} of {rows} rows packed");
        Assert.True(packed > 40, $"{name}: {packed} rows packed");
    }

    /// <summary>A row's values as the row form takes them, from the raw part (dates) and the coerced one (the rest); false
    /// where a category is not one it knows.</summary>
    private static bool Values(RowForm form, Table raw, Table coerced, int row, double[] values)
    {
        for (var f = 0; f < form.Fields.Count; f++)
        {
            var field = form.Fields[f];
            if (field.Type == ColumnType.Text)
            {
                form.Text(f, ((StringColumn)coerced[field.Name]).Values[row], values);
                continue;
            }
            if (field.Type == ColumnType.DateTime)
            {
                var text = TypeCoercion.Texts(raw[field.Name])[row];
                form.Date(f, Lathe.Data.Schema.Values.IsMissing(text) ? null : Lathe.Data.Schema.Values.TryDate(text!, out var date) ? date : throw new InvalidDataException(text), values);
                continue;
            }
            switch (coerced[field.Name])
            {
                case NumericColumn numbers:
                    values[field.Offset] = numbers.Values[row];
                    break;
                case StringColumn texts when texts.Values[row] is null:
                    values[field.Offset] = double.NaN;
                    break;
                case StringColumn texts when field.Buckets > 0:
                    values[field.Offset] = Lathe.Data.Transforms.HashEncode.Bucket(texts.Values[row]!, field.Buckets);
                    break;
                case StringColumn texts:
                    var index = field.Categories.ToList().IndexOf(texts.Values[row]!);
                    if (index < 0) return false;
                    values[field.Offset] = index;
                    break;
            }
        }
        return true;
    }

    [Fact]
    public void A_pipeline_with_a_step_or_column_it_has_no_row_form_for_is_declined_with_the_reason()
    {
        // A number's values as categories, hashed: the row form hashes a category field's own text, not a number's.
        var valuesHashed = Preparation.Run(Config("cars-value-categories") with { Prepare = new PrepareConfig { ValueCategories = 64, Encode = EncodeKind.Hashing } }, TestData.TempDirectory());
        Assert.Contains(valuesHashed.Pipeline.Steps.OfType<Lathe.Data.Transforms.FittedValueCategories>().Single().Columns, c => c.Name == "Displacement");
        Assert.Null(RowForm.For(valuesHashed.Pipeline, out var hashedWhy));
        Assert.NotEmpty(hashedWhy);

        // Hashed buckets are numbers to the embedding network, not the categories its layout codes.
        var hashed = Preparation.Run(Config("penguins-tabular") with { Prepare = new PrepareConfig { Encode = EncodeKind.Hashing } }, TestData.TempDirectory());
        Assert.Null(RowForm.For(hashed.Pipeline, out var why));
        Assert.Equal("the planned inputs are not the layout the model was fitted with", why);
    }
}
