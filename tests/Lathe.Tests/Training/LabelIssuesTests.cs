using System.Text.Json.Nodes;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Training;

namespace Lathe.Tests.Training;

public class LabelIssuesTests
{
    [Fact]
    public void Penguins_with_wrong_species_are_found_and_can_be_left_out()
    {
        // Give 15 penguins a wrong species, chosen by seed.
        var penguins = JsonNode.Parse(File.ReadAllText(TestData.Vega("penguins.json")))!.AsArray();
        var random = new SeededRandom(11);
        var flipped = new SortedSet<int>();
        while (flipped.Count < 15) flipped.Add(random.Next(penguins.Count));
        string[] species = ["Adelie", "Chinstrap", "Gentoo"];
        foreach (var row in flipped)
        {
            var record = penguins[row]!.AsObject();
            var current = record["Species"]!.GetValue<string>();
            record["Species"] = species[(Array.IndexOf(species, current) + 1) % 3];
        }
        var file = Path.Combine(TestData.TempDirectory(), "penguins-mislabelled.json");
        File.WriteAllText(file, penguins.ToJsonString());

        var config = TestData.Penguins() with { Data = new DataConfig { Path = file }, Prepare = new PrepareConfig { LabelIssues = true } };
        var directory = TestData.TempDirectory();
        var run = TrainingRun.Run(config, directory);
        var issues = DataSource.Open(Path.Combine(directory, LabelIssues.FileName)).Read();
        var flagged = ((NumericColumn)issues["line"]).Values.Select(v => (int)v - 1).ToHashSet();
        Assert.Equal(flagged.Count, run.Metrics.Rows.LabelIssues);

        // Only wrong labels that landed in the training part can be found there.
        var found = flipped.Count(flagged.Contains);
        var trainShare = (double)run.Metrics.Rows.Train / 344;
        Assert.True(found >= 0.6 * trainShare * flipped.Count, $"found {found} of about {trainShare * flipped.Count:0} wrong labels in training");
        Assert.True(found >= 0.6 * flagged.Count, $"only {found} of {flagged.Count} flagged rows were wrong");

        var cleaned = TrainingRun.Run(config with { Prepare = new PrepareConfig { LabelIssues = true, RemoveLabelIssues = true } }, TestData.TempDirectory());
        Assert.Equal(run.Metrics.Rows.Train - flagged.Count, cleaned.Metrics.Rows.Train);
    }
}
