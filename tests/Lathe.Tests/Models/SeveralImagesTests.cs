using System.Net;
using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Pipeline;
using Lathe.Models;
using Lathe.Tests.Serving;
using Lathe.Training;
using Xunit.Abstractions;

namespace Lathe.Tests.Models;

/// <summary>Two image columns in one row: real Fashion-MNIST pictures, a <c>front</c> (28×28) and a <c>back</c> (a
/// 20×20 centre crop of another picture). The class is the front's pair of garments (label / 2: T-shirt or trouser,
/// pullover or dress…) and whether the back shows an even- or odd-numbered class, so that neither picture alone can
/// give more than about half of the answers; a network reading both, each through its own CNN body, can.</summary>
public class SeveralImagesTests(ITestOutputHelper output)
{
    private const int Rows = 3000;
    private static readonly Lazy<(string Csv, string Folder)> Table = new(Write);
    private static readonly Lazy<TrainResult> Run = new(() => TrainingRun.Run(Config(), TestData.TempDirectory()));

    private static PipelineConfig Config(ModelKind kind = ModelKind.Auto) => new()
    {
        Target = "kind",
        Data = new DataConfig { Path = Table.Value.Csv },
        Model = new ModelConfig { Kind = kind, Channels = [16, 32], Dense = 32, Layers = [64] },
        Training = new TrainingConfig { Epochs = 8, BatchSize = 64, Threads = 2 },
    };

    private static (string Csv, string Folder) Write()
    {
        var table = Lathe.Data.Sources.DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read();
        var pixels = ((ImageColumn)table["image"]).Pixels;
        var labels = ((NumericColumn)table["label"]).Values;
        var folder = TestData.TempDirectory();
        Directory.CreateDirectory(Path.Combine(folder, "front"));
        Directory.CreateDirectory(Path.Combine(folder, "back"));
        var lines = new List<string> { "front,back,kind" };
        for (var r = 0; r < Rows; r++)
        {
            // The back is another picture of the first 2 × Rows, its pixels cropped to the centre 20×20.
            var other = Rows + (r * 7919) % Rows;
            Png(Path.Combine(folder, "front", $"{r:D4}.png"), 28, pixels.AsSpan(r * 784, 784));
            var crop = new byte[400];
            for (var y = 0; y < 20; y++) pixels.AsSpan(other * 784 + (y + 4) * 28 + 4, 20).CopyTo(crop.AsSpan(y * 20));
            Png(Path.Combine(folder, "back", $"{r:D4}.png"), 20, crop);
            lines.Add($"front/{r:D4}.png,back/{r:D4}.png,{Kind((int)labels[r], (int)labels[other])}");
        }
        var csv = Path.Combine(folder, "pairs.csv");
        File.WriteAllLines(csv, lines);
        return (csv, folder);
    }

    private static string Kind(int front, int back) => $"p{front / 2}{(back % 2 == 0 ? "even" : "odd")}";

    private static void Png(string path, int side, ReadOnlySpan<byte> pixels)
    {
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(side, side, SkiaSharp.SKColorType.Gray8));
        pixels.CopyTo(bitmap.GetPixelSpan());
        using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
    }

    [Fact]
    public void Two_image_columns_each_get_their_own_body_both_decide_and_the_bundle_predicts_bit_for_bit()
    {
        var run = Run.Value;
        var accuracy = run.Metrics.Test["accuracy"];
        // The front alone leaves one of two answers to guess: it cannot reach what both reach.
        var front = TrainingRun.Run(Config() with { Data = new DataConfig { Path = Table.Value.Csv, Exclude = ["back"] } }, TestData.TempDirectory()).Metrics.Test["accuracy"];
        output.WriteLine($"test accuracy {accuracy:0.000} reading both pictures, {front:0.000} the front alone");
        Assert.True(accuracy > 0.7, $"test accuracy {accuracy} reading both pictures");
        Assert.True(accuracy > front + 0.2, $"both pictures {accuracy} against the front alone {front}");

        var bundle = Bundle.Load(run.BundlePath);
        Assert.Equal(6, bundle.Manifest.Format);
        Assert.Equal(4, BundleManifest.FormatFor(bundle.Model, bundle.Target with { Temperature = null }));
        var layout = bundle.Model.Layout!;
        Assert.Equal([("front", 1, 28, 28), ("back", 1, 20, 20)], layout.Images.Select(i => (i.Name, i.Channels, i.Height, i.Width)));
        Assert.Equal(784 + 400, layout.Width);
        // The second body has weights of its own, beside the first one's (whose names are those of one fused image).
        var names = bundle.CreateModel().state_dict().Keys.ToArray();
        Assert.Contains(names, n => n.StartsWith("image.", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("images.0.", StringComparison.Ordinal));

        using var predictor = bundle.CreatePredictor();
        var rows = run.TestRows;
        var predictions = predictor.Predict(rows);
        Assert.Equal(run.TestPredictions.Probabilities.Select(BitConverter.SingleToInt32Bits), predictions.Probabilities.Select(BitConverter.SingleToInt32Bits));

        // Both pictures decide: one front for every row, or one back for every row, changes many answers.
        double Agreement(string column) =>
            predictions.Labels.Zip(predictor.Predict(rows.Replace(c => c.Name == column ? [new StringColumn(column, Enumerable.Repeat(((StringColumn)c).Values[0], c.Count).ToArray())] : null)).Labels)
                .Count(p => p.First == p.Second) / (double)rows.RowCount;
        // The report's most confident mistakes show both pictures of the row side by side: 28 + 2 + 20 pixels wide.
        var report = File.ReadAllText(Path.Combine(run.OutputDirectory, "report.html"));
        var mistakes = report[report.IndexOf("id=\"mistakes\"", StringComparison.Ordinal)..];
        var start = mistakes.IndexOf("data:image/png;base64,", StringComparison.Ordinal) + "data:image/png;base64,".Length;
        var png = Convert.FromBase64String(mistakes[start..mistakes.IndexOf('"', start)]);
        Assert.Equal((28 + Lathe.Reporting.Thumbnail.Gap + 20, 28), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));

        output.WriteLine($"one front for all keeps {Agreement("front"):P0} of the answers, one back for all {Agreement("back"):P0}");
        Assert.True(Agreement("front") < 0.5, $"one front picture for all left {Agreement("front"):P0} of the answers");
        Assert.True(Agreement("back") < 0.8, $"one back picture for all left {Agreement("back"):P0} of the answers");
    }

    [Fact]
    public async Task The_server_takes_both_pictures_as_base64_each_at_its_own_shape()
    {
        var run = Run.Value;
        await using var server = await TestServer.Start(run.BundlePath);
        using var predictor = Bundle.Load(run.BundlePath).CreatePredictor();
        var rows = run.TestRows;
        var (front, back) = ((StringColumn)rows["front"], (StringColumn)rows["back"]);
        string Base64(StringColumn files, int row) => Convert.ToBase64String(File.ReadAllBytes(Path.Combine(Table.Value.Folder, files.Values[row]!)));
        for (var row = 0; row < 5; row++)
        {
            using var response = await server.PostJson(TestServer.Json(new Dictionary<string, string?> { ["front"] = Base64(front, row), ["back"] = Base64(back, row) }));
            await TestServer.AssertAnswers(response, predictor.Predict(rows.Gather([row])));
        }

        // Each test row's two pictures as the base64 of their raw pixels: read by the record path into the table path's row
        // (each picture normalised where the layout places it) and answered as the bundle predicts. Its 1,184 values are
        // more than a lone row runs on one engine thread (Forward.LoneRowSize), so the pass is the modules', not by handle.
        var bundle = Bundle.Load(run.BundlePath);
        var record = server.Server.Model!.Row;
        Assert.True(record is not null, server.Server.Model.NoRowBecause);
        Assert.True(bundle.Model.Layout!.Width > Forward.LoneRowSize);
        var before = server.Server.Metrics.RecordPath.Value;
        for (var r = 0; r < 20; r++)
        {
            var pictures = bundle.Pipeline.TransformTable(rows.Gather([r]));
            string Pixels(string field) => Convert.ToBase64String(((ImageColumn)pictures[field]).Pixels);
            var body = TestServer.Json(new Dictionary<string, string?> { ["front"] = Pixels("front"), ["back"] = Pixels("back") });
            Assert.Equal(bundle.Pipeline.Transform(rows.Gather([r])).Values, record.TryRead(System.Text.Encoding.UTF8.GetBytes(body))?.Values);
            using var response = await server.PostJson(body);
            await TestServer.AssertAnswers(response, predictor.Predict(rows.Gather([r])));
        }
        Assert.Equal(before + 20, server.Server.Metrics.RecordPath.Value);

        // Raw pixels are taken at each field's own shape: 784 for the front, 400 for the back; the other way round is refused by field.
        var raw = (front: Convert.ToBase64String(new byte[784]), back: Convert.ToBase64String(new byte[400]));
        using (var ok = await server.PostJson(TestServer.Json(new Dictionary<string, string?> { ["front"] = raw.front, ["back"] = raw.back })))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var swapped = await server.PostJson(TestServer.Json(new Dictionary<string, string?> { ["front"] = raw.back, ["back"] = raw.front }));
        var (status, _, _, problem) = await TestServer.Problem(swapped);
        Assert.Equal(400, status);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("front", out _) && errors.TryGetProperty("back", out _), errors.ToString());

        using var model = await server.Client.GetAsync("/v1/model");
        using var description = JsonDocument.Parse(await model.Content.ReadAsStringAsync());
        var shapes = description.RootElement.GetProperty("input").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => string.Join('x', f.GetProperty("image_shape").EnumerateArray().Select(d => d.GetInt32())));
        Assert.Equal("1x28x28", shapes["front"]);
        Assert.Equal("1x20x20", shapes["back"]);
    }

    [Fact]
    public void Image_augmentation_mirrors_each_picture_within_its_own_segment()
    {
        // Real pictures: eight 28×28 fronts and, after them in the row, their 20×20 centre crops as backs.
        var front = new ImageInput("front", 1, 28, 28, 1 / 255f, 0);
        var back = new ImageInput("back", 1, 20, 20, 1 / 255f, 0);
        var layout = new InputLayout(1, [], []) { Image = front, OtherImages = [back] };
        var (pixels, _) = ModelData.Fashion(8);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var crops = pixels[.., .., 4..24, 4..24];
        var rows = TorchSharp.torch.cat([TorchSharp.torch.rand(8, 1), pixels.flatten(1), crops.flatten(1)], 1);
        var flip = new Lathe.Data.Augmentation.LayoutAugmentation(layout, 0, 0, 0, new Lathe.Data.Augmentation.ImageAugmentation(new AugmentConfig { Flip = 1 }));
        using var generator = new TorchSharp.torch.Generator(1);
        var flipped = flip.Apply(rows, generator);
        Assert.Equal(rows[.., ..1].data<float>().ToArray(), flipped[.., ..1].data<float>().ToArray());
        Assert.True(flipped[.., 1..785].allclose(pixels.flip(3).flatten(1), rtol: 0, atol: 1e-5), "each front mirrored");
        Assert.True(flipped[.., 785..].allclose(crops.flip(3).flatten(1), rtol: 0, atol: 1e-5), "each back mirrored within its own 20×20");
    }

    [Fact]
    public void A_table_of_image_paths_is_profiled_with_each_path_column_as_images()
    {
        // Profiling reads the table as text: the path columns were cast to pixels and crashed it.
        var profile = Lathe.Data.Profiling.DataProfiler.Profile(Lathe.Data.Sources.DataSource.Open(Table.Value.Csv).Read(), "kind");
        foreach (var name in new[] { "front", "back" })
        {
            var column = profile.Columns.Single(c => c.Name == name);
            Assert.Equal((Lathe.Data.Schema.ColumnType.Image, Rows), (column.Type, column.Distinct));
            Assert.Null(column.Unused);
            Assert.Null(column.Mean);
        }
    }

    [Fact]
    public void The_augmentation_preview_loads_the_pictures_of_either_path_column()
    {
        var table = Lathe.Data.Sources.DataSource.Open(Table.Value.Csv).Read();
        var front = Lathe.Data.Augmentation.AugmentationPreview.ImagesOf(table, "kind", [], 3);
        var back = Lathe.Data.Augmentation.AugmentationPreview.ImagesOf(table, "kind", [], 3, "back");
        Assert.Equal(("front", 3, 28, 28), (front.Name, front.Count, front.Height, front.Width));
        Assert.Equal(("back", 3, 20, 20), (back.Name, back.Count, back.Height, back.Width));
        using var picture = SkiaSharp.SKBitmap.Decode(Lathe.Data.Augmentation.AugmentationPreview.Render(back, new AugmentConfig { Flip = 1 }, count: 3));
        Assert.True(picture.Width > 2 * 20 && picture.Height > 3 * 20);
        var error = Assert.Throws<LatheException>(() => Lathe.Data.Augmentation.AugmentationPreview.ImagesOf(table, "kind", [], 3, "kind"));
        Assert.Contains("its image columns: front, back", error.Message);
    }

    [Fact]
    public void Models_that_cannot_read_two_images_are_refused_naming_both()
    {
        var error = Assert.Throws<DataException>(() => TrainingRun.Run(Config(ModelKind.Mlp), TestData.TempDirectory()));
        Assert.Contains("cannot read the 2 image columns 'front', 'back'", error.Message);
        Assert.Contains("use cnn or resnet", error.Message);
    }
}
