using System.Text.Json;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Data.Sources;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class ValueCategoriesTests
{
    /// <summary>vega's cars, the rows that have <paramref name="target"/>, and its number columns.</summary>
    private static (Table Labelled, Table Numbers) Cars(string target)
    {
        var cars = DataSource.Open(TestData.Vega("cars.json")).Read();
        cars = cars.Gather(FittedTarget.RowsWithTarget(cars[target]));
        return (cars, new Table(cars.Columns.OfType<NumericColumn>().Where(c => c.Name != target).ToArray(), cars.Source));
    }

    [Fact]
    public void An_engines_displacement_becomes_categories_of_its_shared_values_and_measurements_stay_numbers()
    {
        var (cars, numbers) = Cars("Origin");
        var target = FittedTarget.Fit(cars["Origin"], TaskKind.Classification, []);
        var fitted = (FittedValueCategories)new ValueCategories(64, target, cars, seed: 42).Fit(numbers);

        // A displacement is nearly an engine, and an engine a maker: 97 and 98 cubic inches are Japanese and European
        // cars, which quantile bins put together. Miles per gallon and acceleration are measurements, whose
        // neighbours say as much as their own value; the weights are nearly all different, so not tested at all.
        var tests = fitted.Tests.ToDictionary(t => t.Column);
        Assert.Equal(["Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower", "Acceleration"], tests.Keys);
        Assert.True(tests["Displacement"].Gain > 0.1, $"Displacement: {tests["Displacement"].Gain}");
        Assert.True(tests["Miles_per_Gallon"].Gain < 0, $"Miles_per_Gallon: {tests["Miles_per_Gallon"].Gain}");
        Assert.True(tests["Acceleration"].Gain < 0, $"Acceleration: {tests["Acceleration"].Gain}");
        Assert.Contains(fitted.Columns, c => c.Name == "Displacement");
        Assert.DoesNotContain(fitted.Columns, c => c.Name is "Miles_per_Gallon" or "Acceleration" or "Weight_in_lbs");

        // The categories are the values two or more rows share, ascending; any other value is none of them.
        var displacement = ((NumericColumn)numbers["Displacement"]).Values;
        var counts = displacement.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        var kept = fitted.Columns.Single(c => c.Name == "Displacement");
        Assert.Equal(counts.Where(p => p.Value >= 2).Select(p => p.Key).Order(), kept.Values);
        var table = fitted.Transform(numbers);
        var names = table.ColumnNames.ToList();
        Assert.Equal(names.IndexOf("Displacement") + 1, names.IndexOf("Displacement.value"));
        var labels = ((StringColumn)table["Displacement.value"]).Values;
        for (var r = 0; r < displacement.Length; r++)
            Assert.Equal(counts[displacement[r]] >= 2 ? displacement[r].ToString("R", System.Globalization.CultureInfo.InvariantCulture) : null, labels[r]);
        Assert.Contains(labels, l => l is null);
        Assert.Equal(((NumericColumn)numbers["Displacement"]).Values, ((NumericColumn)table["Displacement"]).Values);

        // At most the most frequent few: 97 cubic inches (22 cars) and 350 (19) lead. Three values cover under half the
        // rows, too few to stand for the number.
        var few = (FittedValueCategories)new ValueCategories(30, target, cars, seed: 42).Fit(numbers);
        var top = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(30).Select(p => p.Key).Order().ToArray();
        Assert.Equal(top, few.Columns.Single(c => c.Name == "Displacement").Values);
        Assert.Contains(97.0, top);
        Assert.Contains(350.0, top);
        var three = (FittedValueCategories)new ValueCategories(3, target, cars, seed: 42).Fit(numbers);
        Assert.DoesNotContain(three.Columns, c => c.Name == "Displacement");
        Assert.DoesNotContain(three.Tests, t => t.Column == "Displacement");
    }

    [Fact]
    public void A_regression_target_is_tested_on_its_standardised_values_and_the_choice_is_the_seeds()
    {
        var (cars, numbers) = Cars("Miles_per_Gallon");
        var target = FittedTarget.Fit(cars["Miles_per_Gallon"], TaskKind.Regression, []);
        var fitted = (FittedValueCategories)new ValueCategories(64, target, cars, seed: 7).Fit(numbers);
        Assert.Contains(fitted.Columns, c => c.Name == "Displacement");
        // Fitted again with the same seed: the same tests to the bit, and the same categories.
        var again = (FittedValueCategories)new ValueCategories(64, target, cars, seed: 7).Fit(numbers);
        Assert.Equal(fitted.Tests, again.Tests);
        Assert.Equal(fitted.Columns.Select(c => (c.Name, string.Join(",", c.Values))), again.Columns.Select(c => (c.Name, string.Join(",", c.Values))));
    }

    [Fact]
    public void A_code_whose_neighbours_differ_is_kept_and_a_smooth_number_is_not()
    {
        // 400 rows of 100 values, each on four rows. A code whose class is its parity, so each quantile bin (three or
        // four codes) mixes the classes while each code is one; and a reading whose class is drawn more often "high"
        // the higher it is, so a value's neighbours say as much as its own four rows, and more reliably.
        var values = Enumerable.Range(0, 400).Select(i => (double)(i % 100)).ToArray();
        var random = new Random(5);
        var byParity = values.Select(v => v % 2 == 0 ? "even" : "odd").ToArray();
        var bySize = values.Select(v => random.NextDouble() < 1 / (1 + Math.Exp(-(v - 50) / 15)) ? "high" : "low").ToArray();
        foreach (var (labels, kept) in new[] { (byParity, new[] { "value" }), (bySize, Array.Empty<string>()) })
        {
            var labelled = new Table([new NumericColumn("value", values), new StringColumn("y", labels)], "synthetic");
            var target = FittedTarget.Fit(labelled["y"], TaskKind.Classification, []);
            var fitted = (FittedValueCategories)new ValueCategories(128, target, labelled, seed: 1).Fit(new Table([labelled["value"]], "synthetic"));
            Assert.Equal(kept, fitted.Columns.Select(c => c.Name));
            var test = Assert.Single(fitted.Tests);
            Assert.Equal(100, test.Values);
            Assert.True(kept.Length > 0 ? test.Gain > 0.3 : test.Gain < 0, $"{labels[1]}: {test.Gain}");
        }
    }

    [Fact]
    public void Several_targets_and_labels_are_tested_together()
    {
        // Two regression targets, and three yes/no labels of each car (american, over four cylinders, economical): the
        // test weighs each target's standardised values, or each label's 0/1, alike.
        var regression = Lathe.Tests.Training.SeveralTargetsTests.CarsRegression();
        var multilabel = Lathe.Tests.Training.SeveralTargetsTests.CarsMultilabel(Lathe.Tests.Training.SeveralTargetsTests.CarsLabels());
        foreach (var config in new[] { regression, multilabel })
        {
            var prepared = Preparation.Run(config with { Prepare = new PrepareConfig { ValueCategories = 64 } }, TestData.TempDirectory());
            var step = prepared.Pipeline.Steps.OfType<FittedValueCategories>().Single();
            Assert.Contains(step.Columns, c => c.Name == "Displacement");
            Assert.All(step.Tests, t => Assert.True(double.IsFinite(t.Gain), $"{t.Column}: {t.Gain}"));
            Assert.Contains(prepared.Pipeline.FeatureNames, n => n.StartsWith("Displacement.value=", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_fitted_step_reads_back_from_json_and_transforms_the_same()
    {
        var (cars, numbers) = Cars("Origin");
        var target = FittedTarget.Fit(cars["Origin"], TaskKind.Classification, []);
        IFittedStep fitted = new ValueCategories(64, target, cars, seed: 42).Fit(numbers);
        var json = JsonSerializer.Serialize(fitted, Lathe.Bundles.BundleJson.Options);
        Assert.Contains("\"kind\":\"value_categories\"", json.Replace(" ", ""));
        var back = JsonSerializer.Deserialize<IFittedStep>(json, Lathe.Bundles.BundleJson.Options)!;
        var before = (StringColumn)fitted.Transform(numbers)["Displacement.value"];
        var after = (StringColumn)back.Transform(numbers)["Displacement.value"];
        Assert.Equal(before.Values, after.Values);
        Assert.Equal(((FittedValueCategories)fitted).Tests, ((FittedValueCategories)back).Tests);
    }

    [Fact]
    public void The_config_key_is_checked_and_the_prepare_report_says_what_was_chosen_and_why()
    {
        var cars = TestData.Penguins() with
        {
            Target = "Origin",
            Data = new DataConfig { Path = TestData.Vega("cars.json"), Exclude = ["Name"] },
        };
        var error = Assert.Single(ConfigValidator.Validate(cars with { Prepare = new PrepareConfig { ValueCategories = 1 } }));
        Assert.Equal("prepare.value_categories", error.Path);
        Assert.Contains("between 2 and 1024 (got 1)", error.Message);

        var directory = TestData.TempDirectory();
        var prepared = Preparation.Run(cars with { Prepare = new PrepareConfig { ValueCategories = 64 } }, directory);
        Assert.Contains(prepared.Pipeline.FeatureNames, n => n.StartsWith("Displacement.value=", StringComparison.Ordinal));
        PreparedOutput.Write(prepared, directory);
        var report = File.ReadAllText(Path.Combine(directory, "preparation.html"));
        Assert.Contains("also the category &#39;Displacement.value&#39;", report);
        Assert.Contains("&#39;Miles_per_Gallon&#39;: kept as a number only", report);
    }
}
