using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Data.Splitting;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Pipeline;

/// <summary>R14: every step kind passes one check — fit on the training part, save the fitted step as the
/// bundle does, load it back, and transform identically; a table without a column the step was fitted on
/// is refused with a typed error naming the column.</summary>
public class StepConformanceTests
{
    public static TheoryData<string> Steps => new(["text_words", "text_bpe", "text_sequence_words", "text_sequence_bpe", "derive", "select_features", "drop_columns", "impute", "impute_indicators", "clip_iqr", "clip_zscore", "scale_standard", "scale_minmax", "scale_robust", "one_hot", "ordinal", "hashing", "target_encode", "power_auto", "power_yeo_johnson", "power_log", "quantile_bin", "piecewise_linear", "value_categories", "image_crop", "image_grayscale", "image_resize", "image_normalize"]);

    private static IPipelineStep Step(string name, Table labelled) => name switch
    {
        "target_encode" => new TargetEncode(FittedTarget.Fit(labelled["Major Genre"], TaskKind.Classification, []), labelled, 10, 5, 3),
        "text_words" => new TextVectorize(["Title"], TextTokenization.Words, 300, new TextNormalization()),
        "text_bpe" => new TextVectorize(["Title"], TextTokenization.Bpe, 300, new TextNormalization()),
        "text_sequence_words" => new TextSequence(["Title"], TextTokenization.Words, 300, new TextNormalization()),
        "text_sequence_bpe" => new TextSequence(["Title"], TextTokenization.Bpe, 300, new TextNormalization(Lowercase: false)),
        "derive" => new Lathe.Data.Features.DeriveFeatures(new Dictionary<string, string> { ["log_gross"] = "log1p(`US Gross`)" }),
        "select_features" => new Lathe.Data.Features.SelectFeatures(0.9),
        "drop_columns" => new DropSparseColumns(0.5),
        "impute" => new Impute(),
        "impute_indicators" => new Impute(indicators: true),
        "clip_iqr" => new ClipOutliers(OutlierMethod.Iqr, 1.5),
        "clip_zscore" => new ClipOutliers(OutlierMethod.Zscore, 3),
        "scale_standard" => new Scale(ScaleKind.Standard),
        "scale_minmax" => new Scale(ScaleKind.Minmax),
        "scale_robust" => new Scale(ScaleKind.Robust),
        "one_hot" => new OneHotEncode(),
        "ordinal" => new OrdinalEncode(),
        "hashing" => new HashEncode(16),
        "power_auto" => new PowerTransform(TransformKind.Auto),
        "power_yeo_johnson" => new PowerTransform(TransformKind.YeoJohnson),
        "power_log" => new PowerTransform(TransformKind.Log),
        "quantile_bin" => new QuantileBin(10),
        "piecewise_linear" => new PiecewiseLinearEncode(8),
        "value_categories" => new ValueCategories(64, FittedTarget.Fit(labelled["Origin"], TaskKind.Classification, []), labelled, 3),
        "image_crop" => new ImageCrop([0.75, 20]),
        "image_grayscale" => new ImageGrayscale(),
        "image_resize" => new ImageResize([20, 36]),
        _ => new ImageNormalize(),
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void Fitted_step_saves_reloads_and_transforms_identically_and_refuses_a_missing_column(string name)
    {
        var (train, other, labelled) = name switch
        {
            "image_grayscale" => Icons(),
            _ when name.StartsWith("image_", StringComparison.Ordinal) => Images(),
            "value_categories" => Cars(),
            _ => Movies(text: name.StartsWith("text_", StringComparison.Ordinal), labelled: name == "target_encode"),
        };
        var step = Step(name, labelled);
        var fitted = step.Fit(train);
        var expected = fitted.Transform(other);

        var json = JsonSerializer.Serialize(fitted, BundleJson.Options);
        var reloaded = JsonSerializer.Deserialize<IFittedStep>(json, BundleJson.Options)!;
        Assert.Equal(fitted.GetType(), reloaded.GetType());
        Assert.Equal(json, JsonSerializer.Serialize(reloaded, BundleJson.Options));
        AssertSame(expected, reloaded.Transform(other));

        // Refit on the same rows: the same state, so fitting is deterministic.
        Assert.Equal(json, JsonSerializer.Serialize(step.Fit(train), BundleJson.Options));
        // A step with its own values for training rows fits the same state that way, and the same values each time.
        if (step is IFitTransformStep own)
        {
            var (again, rows) = own.FitTransform(train);
            Assert.Equal(json, JsonSerializer.Serialize(again, BundleJson.Options));
            AssertSame(rows, own.FitTransform(train).Train);
        }

        var used = UsedColumn(json, train);
        Assert.NotNull(used);
        var missing = other.With(other.Columns.Where(c => c.Name != used).ToArray());
        var error = Assert.Throws<DataException>(() => reloaded.Transform(missing));
        Assert.Contains($"column '{used}' is missing", error.Message);
    }

    /// <summary>Movies typed for the steps (training and other rows), and the training rows as read, with their
    /// target; <paramref name="labelled"/> keeps only rows that have a genre, for target encoding.</summary>
    private static (Table Train, Table Other, Table Labelled) Movies(bool text = false, bool labelled = false)
    {
        var table = DataSource.Open(TestData.Vega("movies.json")).Read();
        if (labelled) table = table.Gather(FittedTarget.RowsWithTarget(table["Major Genre"]));
        var schema = SchemaInference.Infer(table, "Major Genre", text: text);
        var typed = TypeCoercion.Apply(table, schema);
        var parts = HoldoutSplit.Split(typed.RowCount, new SplitConfig(), 3);
        return (typed.Gather(parts.Train), typed.Gather(parts.Test), table.Gather(parts.Train));
    }

    /// <summary>Cars' displacement (whose values become categories) and weight (whose values are nearly all different),
    /// typed, with the origin they are tested against.</summary>
    private static (Table Train, Table Other, Table Labelled) Cars()
    {
        var table = DataSource.Open(TestData.Vega("cars.json")).Read();
        table = table.With([table["Displacement"], table["Weight_in_lbs"], table["Origin"]]);
        var typed = TypeCoercion.Apply(table, SchemaInference.Infer(table, "Origin"));
        var parts = HoldoutSplit.Split(typed.RowCount, new SplitConfig(), 3);
        return (typed.Gather(parts.Train), typed.Gather(parts.Test), table.Gather(parts.Train));
    }

    private static (Table Train, Table Other, Table Labelled) Images()
    {
        var table = DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read();
        return (table.Gather(Enumerable.Range(0, 2000).ToArray()), table.Gather(Enumerable.Range(2000, 500).ToArray()), table);
    }

    /// <summary>Real RGB pictures: fitted on all three icons, applied to two of them in another order.</summary>
    private static (Table Train, Table Other, Table Labelled) Icons()
    {
        var table = DataSource.Open(TestData.IconFolder()).Read();
        return (table, table.Gather([2, 0]), table);
    }

    /// <summary>A column the fitted state names, taken from its JSON.</summary>
    private static string? UsedColumn(string json, Table train) =>
        train.ColumnNames.FirstOrDefault(n => json.Contains($"\"name\": {JsonSerializer.Serialize(n, BundleJson.Options)}") || json.Contains($"\\u0060{n}\\u0060") || json.Contains(JsonSerializer.Serialize(n, BundleJson.Options)));

    private static void AssertSame(Table expected, Table actual)
    {
        Assert.Equal(expected.ColumnNames, actual.ColumnNames);
        foreach (var column in expected.Columns)
        {
            switch (column)
            {
                case NumericColumn n:
                    Assert.Equal(n.Values.Select(BitConverter.DoubleToInt64Bits), ((NumericColumn)actual[column.Name]).Values.Select(BitConverter.DoubleToInt64Bits));
                    break;
                case StringColumn s:
                    Assert.Equal(s.Values, ((StringColumn)actual[column.Name]).Values);
                    break;
                case OneHotColumn o:
                    var encoded = (OneHotColumn)actual[column.Name];
                    Assert.Equal(o.Categories, encoded.Categories);
                    Assert.Equal(o.Codes, encoded.Codes);
                    break;
                case TokenColumn t:
                    var tokens = (TokenColumn)actual[column.Name];
                    Assert.Equal((t.Length, t.PaddingId), (tokens.Length, tokens.PaddingId));
                    Assert.Equal(t.Ids, tokens.Ids);
                    break;
                case ImageColumn i:
                    var other = (ImageColumn)actual[column.Name];
                    Assert.Equal((i.Scale, i.Shift), (other.Scale, other.Shift));
                    Assert.Equal(i.Pixels, other.Pixels);
                    break;
            }
        }
    }
}
