using Lathe.Config;
using Lathe.Data.Pipeline;

namespace Lathe.Tests.Data.Pipeline;

public class PreparationTests
{
    private static int[] Lines(Lathe.Data.Table part) => Enumerable.Range(0, part.RowCount).Select(part.LineOf).Order().ToArray();

    [Fact]
    public void A_column_of_numbers_in_training_but_not_over_every_row_takes_the_whole_datas_type()
    {
        // dslabs' regents scores: 'label' holds a score (0–100, 999) on 102 rows and "test_year" and "Scores" on two,
        // which the default split (seed 42) deals to validation and test. init, reading the whole sheet, calls it text;
        // training did too little to agree and stopped on "'test_year' is not a number".
        var path = TestData.Dslabs("2010_bigfive_regents.xls");
        var setup = InitialConfig.For(path, "INTEGRATED ALGEBRA", TestData.TempDirectory());
        Assert.Equal(Lathe.Data.Schema.ColumnType.Text, setup.Schema.Columns.Single(c => c.Name == "label").Type);
        // The config's path is relative to where init would write it; here it is read from the working directory.
        var prepared = Preparation.Run(setup.Config with { Data = setup.Config.Data with { Path = path } }, TestData.TempDirectory());
        Assert.Equal(Lathe.Data.Schema.ColumnType.Numeric, Lathe.Data.Schema.SchemaInference.InferType(prepared.Train["label"]));
        Assert.Equal(Lathe.Data.Schema.ColumnType.Text, prepared.Schema.Find("label")!.Type);
        Assert.False(prepared.Schema.Find("label")!.IsFeature);
        Assert.Equal(100, prepared.Rows.Train + prepared.Rows.Validation + prepared.Rows.Test);
        // The other parts, "test_year" among them, go through the fitted steps.
        Assert.Contains("test_year", ((Lathe.Data.StringColumn)prepared.Validation["label"]).Values.Concat(((Lathe.Data.StringColumn)prepared.Test["label"]).Values));
        Assert.Equal(prepared.Validation.RowCount, prepared.Pipeline.TransformTable(prepared.Validation).RowCount);
        Assert.Equal(prepared.Test.RowCount, prepared.Pipeline.TransformTable(prepared.Test).RowCount);
    }

    [Fact]
    public void A_target_of_yes_no_before_the_time_split_and_a_third_class_after_it_is_not_taken_twice()
    {
        // seattle-weather by date with a target that is 0/1 (rain or not) until 2015 and then "unknown": the training
        // part (the earliest rows) reads it as yes/no, the whole table as categories; the target is never a feature to widen.
        var path = Path.Combine(TestData.TempDirectory(), "rain.csv");
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));
        File.WriteAllLines(path, [lines[0].Replace(",weather", ",rain"), .. lines[1..].Select(l => l.Split(',') is var f
            ? string.Join(",", [.. f[..5], f[0].StartsWith("2015", StringComparison.Ordinal) ? "unknown" : f[5] == "rain" ? "1" : "0"]) : l)]);
        var config = new PipelineConfig
        {
            Target = "rain", Task = TaskKind.Classification, Seed = 1,
            Data = new DataConfig { Path = path, Split = new SplitConfig { Time = "date", Stratify = false } },
        };
        var prepared = Preparation.Run(config, TestData.TempDirectory());
        Assert.Equal(["0", "1", "unknown"], prepared.Target.Classes);
        Assert.Equal(lines.Length - 1, prepared.Rows.Train + prepared.Rows.Validation + prepared.Rows.Test);
    }

    [Fact]
    public void A_fixed_split_seed_keeps_the_parts_while_the_run_seed_varies()
    {
        var fixedSplit = new SplitConfig { Seed = 42 };
        var a = Preparation.Run(TestData.Penguins(seed: 42), TestData.TempDirectory());
        var b = Preparation.Run(TestData.Penguins(seed: 7) with { Data = TestData.Penguins().Data with { Split = fixedSplit } }, TestData.TempDirectory());
        var c = Preparation.Run(TestData.Penguins(seed: 7), TestData.TempDirectory());
        Assert.Equal(Lines(a.Train), Lines(b.Train));
        Assert.Equal(Lines(a.Test), Lines(b.Test));
        // Without it the run's seed deals the rows, as before the key existed.
        Assert.NotEqual(Lines(a.Test), Lines(c.Test));
    }

    [Fact]
    public void A_target_that_names_every_row_is_refused_for_what_it_is()
    {
        // monarchs.json: twelve monarchs, each name once. A stratified split keeps each class's one row in training.
        var config = new PipelineConfig { Target = "name", Data = new DataConfig { Path = TestData.Vega("monarchs.json") } };
        var error = Assert.Throws<Lathe.Data.DataException>(() => Preparation.Run(config, TestData.TempDirectory()));
        Assert.Contains("12 rows give 12 training and 0 validation rows", error.Message);
        Assert.Contains("the target 'name' has 12 classes in 12 rows, 12 of them on one row only", error.Message);
        // Without stratification the same fractions do give a validation part.
        var unstratified = config with { Data = config.Data with { Split = new SplitConfig { Stratify = false } } };
        Assert.True(Preparation.Run(unstratified, TestData.TempDirectory()).Validation.RowCount > 0);
    }
}
