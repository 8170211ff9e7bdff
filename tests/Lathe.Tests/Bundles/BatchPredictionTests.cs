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

        public void Write(Predictions batch) => Batches.Add(batch);

        public void Dispose()
        {
        }
    }
}
