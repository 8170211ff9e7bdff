using Lathe.Config;

namespace Lathe.Tests.Config;

public class InitialConfigTests
{
    [Fact]
    public void Penguins_get_a_classification_mlp_config_with_a_path_relative_to_the_project()
    {
        var directory = Path.Combine(TestData.RepoRoot, "runs", "example");
        var (config, schema, rows) = InitialConfig.For(TestData.Vega("penguins.json"), "Species", directory);
        Assert.Equal(344, rows);
        Assert.Equal(TaskKind.Classification, config.Task);
        Assert.Equal(MetricKind.Accuracy, config.Metric);
        Assert.Equal(ModelKind.Mlp, config.Model.Kind);
        Assert.Equal(Path.Combine("..", "..", "data", "vega-datasets", "data", "penguins.json"), config.Data.Path);
        Assert.Empty(ConfigValidator.Validate(config));
        Assert.Equal(6, schema.Features.Count());
        Assert.Equal(InitialConfig.TableBins, config.Prepare.PiecewiseLinearBins);
        Assert.Equal(InitialConfig.TableValueCategories, config.Prepare.ValueCategories);
        Assert.Equal(InitialConfig.TableLabelSmoothing, config.Training.LabelSmoothing);
        Assert.Equal(InitialConfig.TableEnsemble, config.Model.Ensemble);
        Assert.Equal(InitialConfig.TableNumberEmbedding, config.Model.NumberEmbedding);
    }

    [Fact]
    public void A_column_with_one_value_in_every_row_is_excluded_and_said()
    {
        // statsmodels' fair_pt.csv carries a regression's intercept as a column, 'constant', 1.0 on all 601 rows.
        var fair = InitialConfig.For(TestData.Statsmodels("fair/fair_pt.csv"), "naffairs", TestData.TempDirectory());
        Assert.Equal(["constant"], fair.Config.Data.Exclude);
        Assert.Contains("'constant' is '1' in every row: nothing to learn from, it is excluded from the features (data.exclude)", fair.Warnings);
        Assert.DoesNotContain(fair.Schema.Features, c => c.Name == "constant");
        Assert.Contains(fair.Schema.Features, c => c.Name == "sex");

        // political-contributions.json: four money columns that are 0 for every one of its 58 committees.
        var money = InitialConfig.For(TestData.Vega("political-contributions.json"), "Party_Affiliation", TestData.TempDirectory());
        Assert.Equal(["Transfers_from_Authorized_Committees", "Other_Loans", "Contributions_from_Other_Political_Committees", "Refunds_to_Committees"],
            money.Config.Data.Exclude);
        Assert.Equal(4, money.Warnings.Count(w => w.Contains("' is '0' in every row")));

        // A column with one value and missing ones stays: whether it is there may say something.
        var file = Path.Combine(TestData.TempDirectory(), "penguins-flagged.csv");
        var lines = File.ReadAllLines(TestData.Sklearn("iris.csv")).Skip(1).ToArray();
        File.WriteAllLines(file, ["a,b,c,d,species,flag", .. lines.Select((l, i) => l + (i % 3 == 0 ? ",yes" : ","))]);
        var flagged = InitialConfig.For(file, "species", TestData.TempDirectory());
        Assert.Empty(flagged.Config.Data.Exclude);
    }

    [Fact]
    public void A_target_that_names_its_rows_is_warned_of_and_one_of_classes_is_not()
    {
        // cars' model names: 311 in 406 rows, 254 of them on one row; movies' titles nearly one per row.
        var names = InitialConfig.For(TestData.Vega("cars.json"), "Name", TestData.TempDirectory());
        Assert.Equal(TaskKind.Classification, names.Config.Task);
        var warning = Assert.Single(names.Warnings);
        Assert.StartsWith("the target 'Name' has 311 classes in 406 rows, 254 of them on one row only", warning);
        Assert.Single(InitialConfig.For(TestData.Vega("movies.json"), "Title", TestData.TempDirectory()).Warnings);
        foreach (var (file, target) in new[] { ("cars.json", "Origin"), ("penguins.json", "Species"), ("seattle-weather.csv", "weather"), ("cars.json", "Horsepower") })
            Assert.Empty(InitialConfig.For(TestData.Vega(file), target, TestData.TempDirectory()).Warnings);
    }

    [Fact]
    public void A_long_table_keeps_its_numbers_whole_and_trains_one_network_because_both_would_multiply_its_cost()
    {
        // 200,000 flights × two numbers (distance, time) × 32 bins is 12.8 million values, over the budget; 2,000 are not.
        var (config, _, rows) = InitialConfig.For(TestData.Vega("flights-200k.json"), "delay", TestData.TempDirectory());
        Assert.Equal(200_000, rows);
        Assert.Equal(0, config.Prepare.PiecewiseLinearBins);
        var (small, _, _) = InitialConfig.For(TestData.Vega("flights-2k.json"), "delay", TestData.TempDirectory());
        Assert.Equal(InitialConfig.TableBins, small.Prepare.PiecewiseLinearBins);
        // Likewise the ensemble, whose members multiply every training row's arithmetic.
        Assert.Equal((0, InitialConfig.TableEnsemble), (config.Model.Ensemble, small.Model.Ensemble));
        // Without bins there is nothing to embed per number; with them a regression (the delay) feeds them unembedded.
        Assert.Equal((0, 0), (config.Model.NumberEmbedding, small.Model.NumberEmbedding));
        Assert.Empty(ConfigValidator.Validate(config));
    }

    [Fact]
    public void Movies_550_directors_in_3201_rows_get_target_encoding_and_tables_of_few_categories_keep_one_hot()
    {
        // Movies: Director (550 categories) and Distributor (174) have under 20 rows per category.
        var (movies, _, rows) = InitialConfig.For(TestData.Vega("movies.json"), "IMDB Rating", TestData.TempDirectory());
        Assert.Equal(3201, rows);
        Assert.Equal(EncodeKind.Target, movies.Prepare.Encode);
        Assert.Empty(ConfigValidator.Validate(movies));
        // Birdstrikes' 225 aircraft models in 10,000 rows have 44 rows each; gapminder's 62 countries are under 100.
        Assert.Equal(EncodeKind.OneHot, InitialConfig.For(TestData.Vega("birdstrikes.csv"), "Effect Amount of damage", TestData.TempDirectory()).Config.Prepare.Encode);
        Assert.Equal(EncodeKind.OneHot, InitialConfig.For(TestData.Vega("gapminder.json"), "life_expect", TestData.TempDirectory()).Config.Prepare.Encode);
    }

    [Fact]
    public void Fashion_mnist_images_get_a_cnn_and_absolute_paths_outside_the_project()
    {
        var (config, _, rows) = InitialConfig.For(TestData.FashionTestImages, "label", TestData.TempDirectory(), TestData.FashionTestLabels);
        Assert.Equal(10_000, rows);
        Assert.Equal(ModelKind.Cnn, config.Model.Kind);
        Assert.Equal(TestData.FashionTestImages, config.Data.Path);
        Assert.Equal(TestData.FashionTestLabels, config.Data.Labels);
        Assert.Equal(128, config.Training.BatchSize);
        Assert.Equal(0, config.Prepare.PiecewiseLinearBins);
        Assert.Equal(0, config.Training.LabelSmoothing);
        Assert.Equal(0, config.Model.Ensemble);
        Assert.Equal(0, config.Model.NumberEmbedding);
    }

    [Fact]
    public void A_numeric_target_with_many_values_gets_a_regression_config()
    {
        var (config, _, _) = InitialConfig.For(TestData.Vega("cars.json"), "Horsepower", TestData.TempDirectory());
        Assert.Equal(TaskKind.Regression, config.Task);
        Assert.Equal(MetricKind.Rmse, config.Metric);
        Assert.False(config.Data.Split.Stratify);
        Assert.Equal(0, config.Training.LabelSmoothing);
        // The numbers are binned as for a classification, but the bins go to the first hidden layer unembedded.
        Assert.Equal(InitialConfig.TableBins, config.Prepare.PiecewiseLinearBins);
        Assert.Equal(0, config.Model.NumberEmbedding);
        Assert.Empty(ConfigValidator.Validate(config));
    }
}
