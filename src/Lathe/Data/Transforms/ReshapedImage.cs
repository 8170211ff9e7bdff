namespace Lathe.Data.Transforms;

/// <summary>What a fitted image step (crop, grayscale, resize) learned about one image column: the shape
/// it takes and the shape it gives, each [channels, height, width].</summary>
public sealed record ReshapedImage(string Name, IReadOnlyList<int> Input, IReadOnlyList<int> Output)
{
    public static IReadOnlyList<int> ShapeOf(ImageColumn image) => [image.Channels, image.Height, image.Width];

    /// <summary>The column's images, refused unless they have the shape the step was fitted on.</summary>
    public ImageColumn Expect(Table table, string step)
    {
        if (table[Name] is not ImageColumn image)
            throw new DataException($"{table.Source}: column '{Name}' does not hold images, but the fitted {step} step expects images of {Text(Input)}");
        if (!ShapeOf(image).SequenceEqual(Input))
            throw new DataException($"{table.Source}: column '{Name}' holds images of {Text(ShapeOf(image))}, but the fitted {step} step expects {Text(Input)} — "
                                    + "the images must arrive at the shape the model was trained on");
        return image;
    }

    /// <summary>A shape in words: "3×100×100 (channels×height×width)".</summary>
    public static string Text(IReadOnlyList<int> shape) => $"{string.Join("×", shape)} (channels×height×width)";
}
