using System.Globalization;
using System.Text.Json.Nodes;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Profiling;
using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Schema;

/// <summary>penguins.json as pandas' <c>to_csv</c> writes it, its index first in an unnamed column: the file is sorted by
/// species, so the row number "predicts" the species, and a model must not learn from it.</summary>
public class RowNumbersTests
{
    /// <summary>The penguins, one line each, after an index column from <paramref name="start"/> (pandas: ",Species,…" then "0,Adelie,…").</summary>
    private static string PandasCsv(int start = 0, Func<int, string>? index = null)
    {
        var penguins = JsonNode.Parse(File.ReadAllText(TestData.Vega("penguins.json")))!.AsArray();
        var names = penguins[0]!.AsObject().Select(p => p.Key).ToArray();
        var path = Path.Combine(TestData.TempDirectory(), "penguins.csv");
        File.WriteAllLines(path, [
            "," + string.Join(",", names),
            .. penguins.Select((p, i) => (index?.Invoke(i) ?? (start + i).ToString(CultureInfo.InvariantCulture)) + "," +
                                         string.Join(",", names.Select(n => p![n]?.ToString() ?? ""))),
        ]);
        return path;
    }

    [Fact]
    public void Pandas_index_is_warned_of_by_profile_and_excluded_by_init()
    {
        var path = PandasCsv();
        var table = DataSource.Open(path).Read();
        Assert.True(RowNumbers.Number(table["column_1"], out var start));
        Assert.Equal(0, start);

        var profile = DataProfiler.Profile(table, "Species");
        var column = profile.Columns.Single(c => c.Name == "column_1");
        Assert.Equal(0, column.CountsRowsFrom);
        Assert.Equal("row numbers: lathe init excludes it", column.Use);
        // Sorted by species, the row number is strongly associated with it: the leak the warning is for.
        Assert.True(column.Association > 0.9);
        var warning = Assert.Single(profile.Warnings, w => w.Column == "column_1");
        Assert.StartsWith("'column_1' numbers the rows (0, 1, 2, …), as pandas writes its index", warning.Problem);
        Assert.All(profile.Columns.Where(c => c.Name != "column_1"), c => Assert.Null(c.CountsRowsFrom));
        Assert.Contains("row numbers: lathe init excludes it", ProfileReport.Render(profile).ToString());

        var setup = InitialConfig.For(path, "Species", TestData.TempDirectory());
        Assert.Equal(["column_1"], setup.Config.Data.Exclude);
        Assert.Contains(setup.Warnings, w => w.StartsWith("'column_1' numbers the rows", StringComparison.Ordinal));
        Assert.DoesNotContain(setup.Schema.Features, c => c.Name == "column_1");
    }

    [Fact]
    public void Rs_row_names_under_a_header_one_name_short_count_the_rows_of_dslabs_olive_oils()
    {
        // olive.csv: a header of 11 names (the first empty) over rows of 12 fields: R's row names 1…572, then the
        // area's name, its region and area numbers, and eight fatty acids.
        var path = TestData.Dslabs("olive.csv");
        var table = DataSource.Open(path).Read();
        Assert.Equal(572, table.RowCount);
        Assert.Equal(["row_name", "column_1", "Region", "Area", "palmitic"], table.ColumnNames.Take(5));
        Assert.Contains(table.Notes, n => n.Problem.Contains("as R writes a table with row names"));

        var profile = DataProfiler.Profile(table, "column_1");
        var rowName = profile.Columns.Single(c => c.Name == "row_name");
        Assert.Equal(1, rowName.CountsRowsFrom);
        Assert.Equal("row numbers: lathe init excludes it", rowName.Use);
        Assert.Equal(9, profile.TargetBalance.Count);

        var setup = InitialConfig.For(path, "column_1", TestData.TempDirectory());
        Assert.Equal(["row_name"], setup.Config.Data.Exclude);
        Assert.Equal(Lathe.Config.TaskKind.Classification, setup.Config.Task);
    }

    [Fact]
    public void Only_an_unbroken_count_from_0_or_1_numbers_the_rows()
    {
        Assert.True(RowNumbers.Number(DataSource.Open(PandasCsv(start: 1)).Read()["column_1"], out var one));
        Assert.Equal(1, one);
        // From 2, with a gap, shuffled or with one missing: a column of data, kept.
        Assert.False(RowNumbers.Number(DataSource.Open(PandasCsv(start: 2)).Read()["column_1"], out _));
        Assert.False(RowNumbers.Number(DataSource.Open(PandasCsv(index: i => (i < 100 ? i : i + 1).ToString(CultureInfo.InvariantCulture))).Read()["column_1"], out _));
        Assert.False(RowNumbers.Number(DataSource.Open(PandasCsv(index: i => ((i * 7) % 344).ToString(CultureInfo.InvariantCulture))).Read()["column_1"], out _));
        Assert.False(RowNumbers.Number(DataSource.Open(PandasCsv(index: i => i == 50 ? "" : i.ToString(CultureInfo.InvariantCulture))).Read()["column_1"], out _));
        // Nineteen rows are too few to tell a count from a column of small numbers.
        Assert.False(RowNumbers.Number(new NumericColumn("n", [.. Enumerable.Range(0, 19).Select(i => (double)i)]), out _));
        Assert.True(RowNumbers.Number(new NumericColumn("n", [.. Enumerable.Range(0, 20).Select(i => (double)i)]), out _));
        // Nothing in the vega-datasets tables the benches use numbers its rows.
        foreach (var file in new[] { "penguins.json", "cars.json", "seattle-weather.csv", "weather.csv", "movies.json", "gapminder.json" })
            Assert.All(DataSource.Open(TestData.Vega(file)).Read().Columns, c => Assert.False(RowNumbers.Number(c, out _), $"{file}: {c.Name}"));
    }

    [Fact]
    public void A_count_across_batches_is_followed_batch_by_batch()
    {
        // What a streamed profile does: the index read in batches of 50 rows.
        var counter = new RowNumbers();
        foreach (var batch in new CsvSource(PandasCsv()).ReadBatches(50, 4096)) counter.Add(batch["column_1"], batch.RowCount);
        Assert.True(counter.Counts);
        var broken = new RowNumbers();
        foreach (var batch in new CsvSource(PandasCsv(index: i => (i == 300 ? 0 : i).ToString(CultureInfo.InvariantCulture))).ReadBatches(50, 4096))
            broken.Add(batch["column_1"], batch.RowCount);
        Assert.False(broken.Counts);
    }
}
