using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;
using Lathe.Data.Sources;
using Lathe.Training;

namespace Lathe.Tests.Data.Cleaning;

public class QuarantineTests
{
    /// <summary>R14b: 99,000 real flights (vega-datasets flights-200k) as CSV, with 1,000 bad lines of four
    /// kinds injected at seeded random places. Returns the file and the line numbers of the bad lines.</summary>
    private static (string File, SortedDictionary<int, string> Bad) FlightsWithBadLines()
    {
        var flights = JsonNode.Parse(File.ReadAllText(TestData.Vega("flights-200k.json")))!.AsArray();
        var random = new SeededRandom(14);
        var badAt = new SortedSet<int>();
        while (badAt.Count < 1000) badAt.Add(random.Next(100_000));
        var bad = new SortedDictionary<int, string>();
        using var output = new MemoryStream();
        output.Write("delay,distance,time\n"u8);
        var good = 0;
        for (var row = 0; row < 100_000; row++)
        {
            var line = row + 2;
            if (badAt.Contains(row))
            {
                var kind = bad.Count % 4;
                byte[] text = kind switch
                {
                    0 => Encoding.UTF8.GetBytes($"{row % 90},{row % 3000}\n"),
                    1 => Encoding.UTF8.GetBytes($"late,{row % 3000},{row % 24}.5\n"),
                    2 => [.. Encoding.UTF8.GetBytes($"{row % 90},"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes($",{row % 24}\n")],
                    _ => Encoding.UTF8.GetBytes($"\"{row % 90},{row % 3000},{row % 24}\n"),
                };
                bad[line] = kind switch { 0 => "expected 3 fields", 1 => "column 'delay': 'late' is not a number", 2 => "invalid UTF-8 bytes", _ => "a quote" };
                output.Write(text);
                continue;
            }
            var flight = flights[good++]!;
            output.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{flight["delay"]},{flight["distance"]},{flight["time"]}\n")));
        }
        var file = Path.Combine(TestData.TempDirectory(), "flights-damaged.csv");
        File.WriteAllBytes(file, output.ToArray());
        return (file, bad);
    }

    [Fact]
    public void Of_100000_rows_with_1000_bad_lines_exactly_99000_load_and_1000_are_quarantined_with_line_and_reason()
    {
        var (file, bad) = FlightsWithBadLines();
        (int Rows, (int Line, string Reason)[] Quarantined) Load()
        {
            var table = DataSource.Open(file).Read();
            var (clean, quarantined) = Quarantine.Screen(table, SchemaInference.Infer(table, "delay"), "delay");
            return (clean.RowCount, quarantined.OrderBy(q => q.Line).Select(q => (q.Line, q.Reason)).ToArray());
        }

        var first = Load();
        Assert.Equal(99_000, first.Rows);
        Assert.Equal(1000, first.Quarantined.Length);
        Assert.Equal(bad.Keys, first.Quarantined.Select(q => q.Line));
        foreach (var (line, reason) in first.Quarantined)
            Assert.StartsWith(bad[line], reason);
        var again = Load();
        Assert.Equal(first.Rows, again.Rows);
        Assert.Equal(first.Quarantined, again.Quarantined);
    }

    [Fact]
    public void Training_on_a_damaged_csv_writes_quarantine_csv_and_counts_it()
    {
        var (file, bad) = FlightsWithBadLines();
        var directory = TestData.TempDirectory();
        var config = new PipelineConfig
        {
            Target = "delay",
            Data = new DataConfig { Path = file },
            Model = new ModelConfig { Layers = [16] },
            Training = new TrainingConfig { Epochs = 1, BatchSize = 512, Threads = 2 },
        };
        var metrics = TrainingRun.Run(config, directory).Metrics;
        Assert.Equal(1000, metrics.Rows.Quarantined);
        Assert.Equal(99_000, metrics.Rows.Train + metrics.Rows.Validation + metrics.Rows.Test);

        var written = DataSource.Open(Path.Combine(directory, Quarantine.FileName)).Read();
        Assert.Equal(["line", "reason", "raw"], written.ColumnNames);
        Assert.Equal(bad.Keys.Select(l => (double)l), ((NumericColumn)written["line"]).Values);
        Assert.Contains("late,", ((StringColumn)written["raw"]).Values[1]);
    }

    [Fact]
    public void Past_the_limit_the_run_stops_with_a_clear_error_and_the_list_of_bad_rows()
    {
        var (file, _) = FlightsWithBadLines();
        var directory = TestData.TempDirectory();
        var config = new PipelineConfig { Target = "delay", Data = new DataConfig { Path = file, QuarantineLimit = 0.005 } };
        var error = Assert.Throws<DataException>(() => TrainingRun.Run(config, directory));
        Assert.Contains("1000 of 100000 rows (1.0%) are malformed, more than data.quarantine_limit allows (0.5%)", error.Message);
        Assert.Contains("quarantine.csv", error.Message);
        Assert.True(File.Exists(Path.Combine(directory, Quarantine.FileName)));
        Assert.False(File.Exists(Path.Combine(directory, TrainingRun.BundleFile)));
    }

    [Theory]
    [InlineData(BadValueHandling.Quarantine)]
    [InlineData(BadValueHandling.Missing)]
    public void Values_of_the_wrong_type_quarantine_their_row_or_become_missing_and_are_counted(BadValueHandling handling)
    {
        // Seattle weather with 12 of its 1,461 maximum temperatures typed as words.
        var lines = File.ReadAllLines(TestData.Vega("seattle-weather.csv"));
        var damaged = Enumerable.Range(0, 12).Select(k => 10 + 97 * k).ToArray();
        foreach (var line in damaged)
        {
            var fields = lines[line].Split(',');
            fields[2] = "warm";
            lines[line] = string.Join(',', fields);
        }
        var file = Path.Combine(TestData.TempDirectory(), "weather-typos.csv");
        File.WriteAllLines(file, lines);
        var config = new PipelineConfig { Target = "weather", Data = new DataConfig { Path = file, BadValues = handling } };

        var prepared = Preparation.Run(config, TestData.TempDirectory());
        var rows = prepared.Rows.Train + prepared.Rows.Validation + prepared.Rows.Test;
        if (handling == BadValueHandling.Quarantine)
        {
            Assert.Equal((1461 - 12, 12, 0), (rows, prepared.Rows.Quarantined, prepared.Rows.ValuesMadeMissing));
            Assert.Equal(damaged.Select(l => l + 1), prepared.Quarantined.Select(q => q.Line).Order());
        }
        else
        {
            Assert.Equal((1461, 0, 12), (rows, prepared.Rows.Quarantined, prepared.Rows.ValuesMadeMissing));
            Assert.Equal(12, prepared.MadeMissing!["temp_max"]);
            // The words are gone: every training value of temp_max is a number after imputation.
            var input = (NumericColumn)prepared.TrainInput["temp_max"];
            Assert.DoesNotContain(input.Values, double.IsNaN);
        }
    }
}
