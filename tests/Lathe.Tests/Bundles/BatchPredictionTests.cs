using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Sources;
using Lathe.Training;

namespace Lathe.Tests.Bundles;

[Collection(PenguinsCollection.Name)]
public class BatchPredictionTests(PenguinsRun run)
{
    [Theory]
    [InlineData(7)]
    [InlineData(50)]
    public void Penguins_streamed_in_small_batches_get_the_whole_tables_predictions_bit_for_bit(int rows)
    {
        using var predictor = Bundle.Load(run.Result.BundlePath).CreatePredictor();
        var directory = TestData.TempDirectory();
        foreach (var file in new[] { JsonRecords.ToLines(TestData.Vega("penguins.json"), Path.Combine(directory, "penguins.jsonl")),
                     JsonRecords.ToCsv(TestData.Vega("penguins.json"), Path.Combine(directory, "penguins.csv")) })
        {
            var source = DataSource.Open(file);
            Assert.Equal((344 + rows - 1) / rows, source.ReadBatches(rows).Count());
            var whole = predictor.Predict(source.Read());
            var streamed = new Collector();
            Assert.Equal(344, BatchPrediction.Predict(predictor, source, streamed, rows));
            // The network sees whole 256-row slices, then the rest: as for the whole table.
            Assert.Equal([256, 88], streamed.Batches.Select(b => b.Count));
            Assert.Equal(whole.Labels, streamed.Batches.SelectMany(b => b.Labels));
            Assert.Equal(Bits(whole.Probabilities), Bits(streamed.Batches.SelectMany(b => b.Probabilities)));
        }
    }

    [Fact]
    public void Movies_whose_small_batches_read_a_category_as_numbers_get_the_whole_tables_predictions_bit_for_bit()
    {
        var directory = TestData.TempDirectory();
        var trained = TrainingRun.Run(new PipelineConfig
        {
            Target = "IMDB Rating",
            Seed = 3,
            Data = new DataConfig { Path = TestData.Vega("movies.json"), Exclude = ["IMDB Votes", "Rotten Tomatoes Rating"] },
            Model = new ModelConfig { Layers = [32] },
            Training = new TrainingConfig { Epochs = 2, Threads = 2 },
        }, Path.Combine(directory, "run"));
        var bundle = Bundle.Load(trained.BundlePath);
        Assert.Contains(bundle.Pipeline.Schema.Columns, c => c is { Name: "MPAA Rating", Type: Lathe.Data.Schema.ColumnType.Categorical, IsFeature: true });
        using var predictor = bundle.CreatePredictor();
        foreach (var file in new[] { JsonRecords.ToLines(TestData.Vega("movies.json"), Path.Combine(directory, "movies.jsonl")),
                     JsonRecords.ToCsv(TestData.Vega("movies.json"), Path.Combine(directory, "movies.csv")) })
        {
            var source = DataSource.Open(file);
            var read = source.Read();
            // The case that makes streaming hard: the whole file has text ratings, a batch of 7 rows without one reads as numbers.
            Assert.IsType<StringColumn>(read["MPAA Rating"]);
            Assert.Contains(source.ReadBatches(7), b => b["MPAA Rating"] is NumericColumn);
            var whole = predictor.Predict(read);
            Assert.Equal(3201, whole.Count);
            foreach (var rows in new[] { 7, 50 })
            {
                var streamed = new Collector();
                BatchPrediction.Predict(predictor, source, streamed, rows);
                Assert.Equal(Bits(whole.Values), Bits(streamed.Batches.SelectMany(b => b.Values)));
            }

            // Parquet: one row group per written batch, float64 values that read back to the same bits.
            var output = Path.Combine(directory, Path.GetFileName(file) + ".parquet");
            using (var stream = File.Create(output))
            using (var writer = BatchPrediction.CreateWriter(PredictionFormat.Parquet, stream, predictor, bundle.Manifest.Target))
                BatchPrediction.Predict(predictor, source, writer, 1000);
            var groups = new ParquetSource(output).ReadBatches(100_000).ToList();
            // Batches of 1,000 rows go out as whole 256-row slices, the rest carried over: 768, 1,024, 1,024, 256, then the last 129.
            Assert.Equal([768, 1024, 1024, 256, 129], groups.Select(g => g.RowCount));
            var values = Assert.IsType<NumericColumn>(Table.Concat(groups)["predicted_IMDB Rating"]).Values;
            Assert.Equal(Bits(whole.Values), Bits(values));
        }
    }

    [Fact]
    public void A_batch_with_a_row_the_reader_set_aside_is_an_error_naming_the_file_and_line()
    {
        using var predictor = Bundle.Load(run.Result.BundlePath).CreatePredictor();
        var file = JsonRecords.ToCsv(TestData.Vega("penguins.json"), Path.Combine(TestData.TempDirectory(), "penguins.csv"));
        var lines = File.ReadAllLines(file).ToList();
        lines[320] += ",surplus";
        File.WriteAllLines(file, lines);
        var written = new Collector();
        var error = Assert.Throws<DataException>(() => BatchPrediction.Predict(predictor, DataSource.Open(file), written, 50));
        Assert.StartsWith("penguins.csv line 321: expected 7 fields as in the header, found 8", error.Message);
        Assert.Equal([256], written.Batches.Select(b => b.Count));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(300)]
    public void Rows_set_aside_keep_their_places_as_empty_rows_and_the_rest_get_the_predictions_of_a_file_without_them(int rows)
    {
        using var predictor = Bundle.Load(run.Result.BundlePath).CreatePredictor();
        var directory = TestData.TempDirectory();
        var file = JsonRecords.ToCsv(TestData.Vega("penguins.json"), Path.Combine(directory, "penguins.csv"));
        var lines = File.ReadAllLines(file);
        // Data rows (0-based) damaged: the first; two running; eight running (more than a batch of 7); one a whole
        // forward slice in; the last. Some by the reader (a field too many or too few), some by their type.
        var damaged = new SortedSet<int> { 0, 40, 41, 256, 343 };
        for (var r = 100; r < 108; r++) damaged.Add(r);
        foreach (var r in damaged)
        {
            var fields = lines[r + 1].Split(',');
            lines[r + 1] = (r % 3) switch
            {
                0 => lines[r + 1] + ",surplus",
                1 => string.Join(",", fields.Select((f, i) => i == 4 ? "long" : f)),
                _ => string.Join(",", fields.Take(3)),
            };
        }
        File.WriteAllLines(file, lines);
        var clean = Path.Combine(directory, "clean.csv");
        File.WriteAllLines(clean, lines.Where((_, i) => i == 0 || !damaged.Contains(i - 1)));
        var expected = new Collector();
        Assert.Equal(344 - damaged.Count, BatchPrediction.Predict(predictor, DataSource.Open(clean), expected, rows));

        var written = new Collector();
        var aside = new MemoryStream();
        using (var setAside = new Lathe.Data.Cleaning.QuarantineWriter(aside))
        {
            Assert.Equal(344 - damaged.Count, BatchPrediction.Predict(predictor, DataSource.Open(file), written, rows, setAside: setAside));
            Assert.Equal(damaged.Count, setAside.Count);
        }
        // The output, row by row: null where a row was set aside, in the file's order.
        var output = written.Rows().ToArray();
        Assert.Equal(344, output.Length);
        Assert.Equal(damaged, Enumerable.Range(0, 344).Where(i => output[i] is null));
        Assert.Equal(expected.Rows().Select(r => r!.Value.Label), output.Where(r => r is not null).Select(r => r!.Value.Label));
        Assert.Equal(Bits(expected.Batches.SelectMany(b => b.Probabilities)), Bits(written.Batches.SelectMany(b => b.Probabilities)));
        // Predicted rows reach the network in the slices they would without the damaged ones.
        Assert.Equal(expected.Batches.Select(b => b.Count).Where(n => n > 0), written.Batches.Select(b => b.Count).Where(n => n > 0));

        var list = System.Text.Encoding.UTF8.GetString(aside.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("line,reason,raw", list[0]);
        Assert.Equal(damaged.Select(r => r + 2), list.Skip(1).Select(l => int.Parse(l.Split(',')[0])));
        Assert.Contains("expected 7 fields as in the header, found 8", list[1]);
        Assert.Contains("column 'Flipper Length (mm)': 'long' is not a number", list[2]);
        Assert.Contains("expected 7 fields as in the header, found 3", list[3]);
        Assert.StartsWith("345,column 'Flipper Length (mm)': 'long' is not a number,", list[^1]);
    }

    [Fact]
    public void A_lone_columns_empty_rows_are_written_as_an_empty_field_that_reads_back_as_missing()
    {
        var values = new Predictions(TaskKind.Regression, [], [], [], [1.5, 2.25]);
        var file = Path.Combine(TestData.TempDirectory(), "values.csv");
        using (var writer = new StreamWriter(file)) values.WriteCsv(writer, "mpg", absent: [0, 2, 3]);
        Assert.Equal(["predicted_mpg", "\"\"", "1.5", "\"\"", "\"\"", "2.25"], File.ReadAllLines(file));
        var read = Assert.IsType<NumericColumn>(DataSource.Open(file).Read()["predicted_mpg"]).Values;
        Assert.Equal([double.NaN, 1.5, double.NaN, double.NaN, 2.25], read);
        // A blank line is still no record; "" is one.
        File.WriteAllText(file, "x\n1\n\n\"\"\n2\n");
        Assert.Equal([1, double.NaN, 2], Assert.IsType<NumericColumn>(DataSource.Open(file).Read()["x"]).Values);
    }

    [Fact]
    public void An_output_named_other_than_csv_or_parquet_is_an_error_naming_it()
    {
        Assert.Equal(PredictionFormat.Csv, BatchPrediction.FormatOf("out/predictions.CSV"));
        Assert.Equal(PredictionFormat.Parquet, BatchPrediction.FormatOf("predictions.parquet"));
        var error = Assert.Throws<LatheException>(() => BatchPrediction.FormatOf("predictions.xlsx"));
        Assert.Contains("'.xlsx'", error.Message);
        Assert.Contains(".csv or .parquet", error.Message);
    }

    private static IEnumerable<int> Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToInt32Bits);

    private static IEnumerable<long> Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits);

    private sealed class Collector : IPredictionWriter
    {
        public List<Predictions> Batches { get; } = [];

        // Each write's rows without a prediction, at their places among its rows.
        private readonly List<IReadOnlyList<int>> _absent = [];

        public void Write(Predictions batch, IReadOnlyList<int>? absent = null)
        {
            Batches.Add(batch);
            _absent.Add(absent ?? []);
        }

        /// <summary>Every row written, in order: its label and probabilities, or null for a row without a prediction.</summary>
        public IEnumerable<(string Label, float[] Probabilities)?> Rows()
        {
            for (var b = 0; b < Batches.Count; b++)
            {
                var (batch, absent, from) = (Batches[b], _absent[b], 0);
                var classes = batch.Classes.Count;
                for (var i = 0; i < batch.Count + absent.Count; i++)
                    yield return absent.Contains(i) ? null : (batch.Labels[from], batch.Probabilities[(from * classes)..(++from * classes)]);
            }
        }

        public void Dispose()
        {
        }
    }
}
