using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Normalises image pixels to zero mean and unit variance over the training images. Pixels stay
/// uint8; the fitted scale and shift are applied when a batch is formed.</summary>
public sealed class ImageNormalize : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var images = train.Columns.OfType<ImageColumn>().ToArray();
        var fitted = images.Select(image =>
        {
            double sum = 0, squares = 0;
            foreach (var p in image.Pixels)
            {
                sum += p;
                squares += (double)p * p;
            }
            var n = Math.Max(1, image.Pixels.Length);
            var mean = sum / n / 255;
            var std = Math.Sqrt(Math.Max(squares / n / (255.0 * 255) - mean * mean, 1e-12));
            return new NormalisedImage(image.Name, mean, std);
        }).ToArray();
        return new FittedImageNormalize(fitted);
    }
}

/// <summary>Mean and standard deviation of one image column's pixels, on a 0–1 scale.</summary>
public sealed record NormalisedImage(string Name, double Mean, double Std)
{
    /// <summary>The fitted normalisation as an image column applies it to pixels: value = pixel × scale + shift.</summary>
    public (float Scale, float Shift) Normalisation() => ((float)(1 / (255 * Std)), (float)(-Mean / Std));
}

public sealed record FittedImageNormalize(IReadOnlyList<NormalisedImage> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        if (Columns.Count == 0) return table;
        var stats = FittedColumns.In(table, Columns, c => c.Name, "image normalise");
        var columns = table.Columns.Select(column =>
        {
            if (column is not ImageColumn image || !stats.TryGetValue(column.Name, out var s)) return column;
            var (scale, shift) = s.Normalisation();
            return image.WithNormalisation(scale, shift);
        }).ToArray();
        return table.With(columns);
    }
}
