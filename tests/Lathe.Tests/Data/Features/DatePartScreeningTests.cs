using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Features;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Features;

public class DatePartScreeningTests
{
    [Fact]
    public void Seattle_weather_keeps_the_month_and_leaves_out_the_day_of_the_month_and_the_weekday()
    {
        var table = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var schema = SchemaInference.Infer(table, "weather");
        var target = FittedTarget.Fit(table["weather"], TaskKind.Classification, []);
        var (pipeline, train) = FittedPipeline.FitTransform(table, schema, new PrepareConfig(), target, seed: 42);

        var tests = pipeline.DatePartTests!.ToDictionary(t => t.Part);
        Assert.Equal(["month", "day", "weekday", "hour"], pipeline.DatePartTests!.Select(t => t.Part));
        // The wet winters and dry summers: no shuffle of 199 comes near the months' real order.
        Assert.Equal(1 / 200.0, tests["month"].P);
        Assert.False(tests["day"].Kept, $"day of the month p = {tests["day"].P}");
        Assert.False(tests["weekday"].Kept, $"weekday p = {tests["weekday"].P}");
        Assert.Equal((1, 1.0), (tests["hour"].Levels, tests["hour"].P)); // dates without a time: one hour in every row
        Assert.Equal((12, 31, 7), (tests["month"].Levels, tests["day"].Levels, tests["weekday"].Levels));
        Assert.Equal(["year", "month", "month_sin", "month_cos", "elapsed_days"], pipeline.Schema.Find("date")!.DateParts);
        Assert.Contains("date.month_sin", pipeline.FeatureNames);
        Assert.Contains("date.elapsed_days", pipeline.FeatureNames);
        Assert.DoesNotContain(pipeline.FeatureNames, f => f.StartsWith("date.day") || f.StartsWith("date.weekday") || f.StartsWith("date.hour"));
        Assert.Equal(pipeline.FeatureNames, train.Columns.Select(c => c.Name));

        // The bundle's pipeline.json carries the narrowed parts, so prediction makes the same columns.
        var read = JsonSerializer.Deserialize<FittedPipeline>(JsonSerializer.Serialize(pipeline, BundleJson.Options), BundleJson.Options)!;
        Assert.Equal(pipeline.Schema.Find("date")!.DateParts, read.Schema.Find("date")!.DateParts);
        Assert.Equal(pipeline.DatePartTests, read.DatePartTests);
        var rows = table.Gather([0, 500, 1000]);
        Assert.Equal(pipeline.TransformTable(rows).Columns.Select(c => c.Name), read.TransformTable(rows).Columns.Select(c => c.Name));
    }

    [Fact]
    public void Preparation_says_which_parts_it_kept_and_why()
    {
        var config = new PipelineConfig { Target = "weather", Data = new DataConfig { Path = TestData.Vega("seattle-weather.csv") } };
        var directory = TestData.TempDirectory();
        var prepared = Preparation.Run(config, directory);
        PreparedOutput.Write(prepared, directory);
        var report = System.Net.WebUtility.HtmlDecode(File.ReadAllText(Path.Combine(directory, PreparedOutput.ReportFile)));
        Assert.Contains("'date.month' (with '.month_sin' and '.month_cos') kept: related to the target on training (12 values; permutation test over 199 shuffles: p = 0.005)", report);
        Assert.Contains("'date.day' left out: not related to the target on training (31 values; permutation test over 199 shuffles: p = ", report);
        Assert.Contains("'date.hour' (with '.hour_sin' and '.hour_cos') left out: one value in every training row", report);
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(directory, PreparedOutput.JsonFile)))!;
        Assert.Equal(4, summary["date_part_tests"]!.AsArray().Count);
        // The parts as the model sees them: the training part's columns are the narrowed pipeline's.
        Assert.Equal(prepared.Pipeline.FeatureNames, prepared.TrainInput.Columns.Select(c => c.Name));
        Assert.DoesNotContain(prepared.Pipeline.FeatureNames, f => f.StartsWith("date.weekday"));
    }

    [Fact]
    public void All_keeps_every_part_and_runs_no_test()
    {
        var table = DataSource.Open(TestData.Vega("seattle-weather.csv")).Read();
        var target = FittedTarget.Fit(table["weather"], TaskKind.Classification, []);
        var (pipeline, _) = FittedPipeline.FitTransform(table, SchemaInference.Infer(table, "weather"), new PrepareConfig { DateParts = DatePartSelection.All }, target, seed: 42);
        Assert.Null(pipeline.DatePartTests);
        Assert.Contains("date.day", pipeline.FeatureNames);
        Assert.Contains("date.weekday_sin", pipeline.FeatureNames);
    }

    [Fact]
    public void A_regression_target_that_follows_the_weekday_keeps_it_and_the_test_is_seeded()
    {
        // 600 days from 2021-03-01; the target is the weekday's effect plus noise, nothing of the month or its day.
        var random = new SeededRandom(7);
        var days = Enumerable.Range(0, 600).Select(i => new DateTime(2021, 3, 1).AddDays(i)).ToArray();
        var dates = new StringColumn("day", days.Select(d => d.ToString("yyyy-MM-dd")).ToArray());
        var sales = new NumericColumn("sales", days.Select(d => (d.DayOfWeek == DayOfWeek.Saturday ? 3.0 : 0) + random.Next(1000) / 250.0).ToArray());
        var table = new Table([dates, sales], "shop.csv");
        var schema = SchemaInference.Infer(table, "sales");
        var target = FittedTarget.Fit(table, ["sales"], TaskKind.Regression, Enumerable.Range(0, 600).ToArray());

        var before = (double[])sales.Values.Clone();
        var first = DatePartScreening.Test(table, schema, target, seed: 3);
        Assert.Equal(before, sales.Values); // the target is read, never changed
        var tests = first.ToDictionary(t => t.Part);
        Assert.True(tests["weekday"].Kept);
        Assert.False(tests["day"].Kept, $"day p = {tests["day"].P}");
        Assert.Equal(first, DatePartScreening.Test(table, schema, target, seed: 3));
        var parts = DatePartScreening.Narrow(schema, first).Find("day")!.DateParts!;
        Assert.Equal(["weekday", "weekday_sin", "weekday_cos"], parts.Where(p => p.StartsWith("weekday")));
        Assert.Contains("year", parts);
        Assert.Contains("elapsed_days", parts);
        Assert.DoesNotContain("day", parts);
        Assert.DoesNotContain(parts, p => p.StartsWith("hour"));
    }

    [Fact]
    public void Cars_model_years_all_on_the_first_of_january_leave_out_the_weekday_untested_and_the_report_says_why()
    {
        // Every car's Year is 1 January of its model year, so the weekday of that date is the year scrambled: 1970 a
        // Thursday, 1971 a Friday… The permutation test finds it related to the origin (through the year), but it adds nothing.
        var config = new PipelineConfig { Target = "Origin", Data = new DataConfig { Path = TestData.Vega("cars.json"), Exclude = ["Name"] } };
        var directory = TestData.TempDirectory();
        var prepared = Preparation.Run(config, directory);
        var tests = prepared.Pipeline.DatePartTests!.ToDictionary(t => t.Part);
        Assert.True(tests["weekday"].OneDayOfMonth);
        Assert.Equal((7, 1.0, false), (tests["weekday"].Levels, tests["weekday"].P, tests["weekday"].Kept));
        Assert.Equal((1, false), (tests["day"].Levels, tests["day"].OneDayOfMonth));
        // The month, the day and the hour take one value in every row and go too.
        Assert.Equal(["year", "elapsed_days"], prepared.Pipeline.Schema.Find("Year")!.DateParts);
        Assert.DoesNotContain(prepared.Pipeline.FeatureNames, f => f.StartsWith("Year.weekday"));
        PreparedOutput.Write(prepared, directory);
        var report = System.Net.WebUtility.HtmlDecode(File.ReadAllText(Path.Combine(directory, PreparedOutput.ReportFile)));
        Assert.Contains("'Year.weekday' (with '.weekday_sin' and '.weekday_cos') left out: every training date falls on the same day of the month, so the weekday (7 values) only re-encodes the year and month", report);

        // With prepare.date_parts: all nothing is tested and the weekday stays.
        var all = Preparation.Run(config with { Prepare = new PrepareConfig { DateParts = DatePartSelection.All } }, TestData.TempDirectory());
        Assert.Contains("Year.weekday", all.Pipeline.FeatureNames);
    }
}
