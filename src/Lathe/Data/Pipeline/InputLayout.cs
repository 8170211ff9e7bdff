namespace Lathe.Data.Pipeline;

/// <summary>How one row's float32 input is laid out for the embedding network and the text encoders: first
/// <see cref="Numeric"/> numbers, then one code per categorical column (1 + the category's index; 0 for a category
/// unseen in training), then each text column's token ids, then each image's normalised pixels when images are fused
/// with the table or with each other (<see cref="Images"/>). Codes and ids are exact in float32 (below 2^24) and the model casts them back to int64.
/// Saved with the pipeline and the model, so prediction packs rows the same way.</summary>
public sealed record InputLayout(int Numeric, IReadOnlyList<CategoricalInput> Categorical, IReadOnlyList<TextInput> Texts)
{
    /// <summary>The first image column fused with the table, whose pixels follow the token ids; absent in layouts without one.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ImageInput? Image { get; init; }

    /// <summary>The image columns after the first, in order, their pixels after its; absent with one image or none
    /// (layouts written before several images were read have no such member).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ImageInput>? OtherImages { get; init; }

    /// <summary>Every image column, in packing order: <see cref="Image"/>, then <see cref="OtherImages"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<ImageInput> Images => Image is null ? [] : [Image, .. OtherImages ?? []];

    /// <summary>Where the category codes start.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int CategoricalStart => Numeric;
    /// <summary>Where the first text column's token ids start.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int TextStart => Numeric + Categorical.Count;
    /// <summary>Where the first image's pixels start.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int ImageStart => TextStart + Texts.Sum(t => t.Length);
    [System.Text.Json.Serialization.JsonIgnore]
    public int Width => ImageStart + Images.Sum(i => i.Size);

    /// <summary>The start of each image's pixels, in <see cref="Images"/> order.</summary>
    public IReadOnlyList<int> ImageOffsets()
    {
        var images = Images;
        var offsets = new int[images.Count];
        for (int i = 0, at = ImageStart; i < images.Count; at += images[i].Size, i++) offsets[i] = at;
        return offsets;
    }

    /// <summary>The start of each text column's ids, in order.</summary>
    public IReadOnlyList<int> TextOffsets()
    {
        var offsets = new int[Texts.Count];
        for (int t = 0, at = TextStart; t < Texts.Count; at += Texts[t].Length, t++) offsets[t] = at;
        return offsets;
    }
}
