using Lathe.Config;
using Lathe.Data.Pipeline;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>The network for tables, text and images fused with tables: each categorical column's code through its own
/// learned embedding, each text column's token ids through a sequence encoder (LSTM, GRU or transformer), each image
/// column's pixels through its own CNN or resnet body, all concatenated with the numeric features, then the MLP's hidden
/// layers and head. Takes the float32 rows an <see cref="InputLayout"/> describes. A table whose only input is one text
/// column is the plain sequence model: encoder, dropout, head.</summary>
public sealed class TabularNet : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Embedding> embeddings;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> texts;
    private readonly nn.Module<Tensor, Tensor>? image;
    // The bodies of the images after the first (InputLayout.OtherImages); empty, and so without weights, with one image.
    private readonly ModuleList<nn.Module<Tensor, Tensor>> images;
    private readonly Dropout? dropout;
    private readonly Mlp mlp;
    private readonly InputLayout _layout;
    private readonly int[] _textOffsets;
    private readonly int[] _imageOffsets;
    private readonly ImageInput[] _pictures;

    /// <param name="categoryWidths">The embedding width of each categorical column, in layout order.</param>
    /// <param name="encoder">Builds the encoder body of a text column (with no head).</param>
    /// <param name="imageEncoder">Builds the encoder body of an image column (with no head); needed when the layout has one.</param>
    public TabularNet(InputLayout layout, IReadOnlyList<int> categoryWidths, Func<TextInput, nn.Module<Tensor, Tensor>> encoder,
        IReadOnlyList<int> hidden, double dropoutRate, int outputs, ActivationKind activation, NormKind norm, bool residual,
        Func<ImageInput, nn.Module<Tensor, Tensor>>? imageEncoder = null, int ensemble = 0, EnsembleMean mean = EnsembleMean.Probabilities,
        IReadOnlyList<int[]>? numberGroups = null, int numberWidth = 0) : base("tabular")
    {
        _layout = layout;
        _textOffsets = [.. layout.TextOffsets()];
        // Code 0 (a category unseen in training) embeds as zeros and is never trained, as one-hot gives it no feature.
        embeddings = new ModuleList<Embedding>(layout.Categorical.Select((c, i) => nn.Embedding(c.Cardinality, categoryWidths[i], padding_idx: 0)).ToArray());
        texts = new ModuleList<nn.Module<Tensor, Tensor>>(layout.Texts.Select(encoder).ToArray());
        if (layout.Image is { } pixels)
            image = (imageEncoder ?? throw new ArgumentNullException(nameof(imageEncoder), $"the layout has the image column '{pixels.Name}'"))(pixels);
        // Each further image its own body (its own weights, its own shape): two views of a thing are not the same picture.
        images = new ModuleList<nn.Module<Tensor, Tensor>>((layout.OtherImages ?? []).Select(i => imageEncoder!(i)).ToArray());
        _imageOffsets = [.. layout.ImageOffsets()];
        _pictures = [.. layout.Images];
        var width = layout.Numeric + categoryWidths.Sum() + texts.Sum(t => ((IInputEncoder)t).Width)
                    + (image is IInputEncoder body ? body.Width : 0) + images.Sum(i => ((IInputEncoder)i).Width);
        var textOnly = layout.Numeric == 0 && layout.Categorical.Count == 0 && layout.Texts.Count == 1 && layout.Image is null;
        if (textOnly && dropoutRate > 0) dropout = nn.Dropout(dropoutRate);
        // The numbers come first in the fused row, so their positions in the layout are their positions there.
        mlp = new Mlp(width, textOnly ? [] : hidden, dropoutRate, outputs, activation, norm, residual, ensemble, mean, numberGroups, numberWidth);
        RegisterComponents();
    }

    /// <summary>Whether the inputs are numbers, categories and pictures (no text), for <see cref="HandlePass"/>.</summary>
    internal bool NoText => texts.Count == 0 && dropout is null;
    /// <summary>Each picture's body, in <see cref="InputLayout.Images"/> order.</summary>
    internal IReadOnlyList<nn.Module<Tensor, Tensor>> Pictures => image is null ? [] : [image, .. images];
    internal InputLayout Layout => _layout;
    internal IList<Embedding> Embeddings => embeddings;
    internal Mlp Network => mlp;

    /// <summary>fastai's rule of thumb for a column of <paramref name="cardinality"/> codes: min(600, round(1.6 · n^0.56)).</summary>
    public static int EmbeddingWidth(int cardinality) => Math.Min(600, (int)Math.Round(1.6 * Math.Pow(cardinality, 0.56)));

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        if (_layout.Numeric > 0) parts.Add(input.narrow(1, 0, _layout.Numeric));
        for (var c = 0; c < embeddings.Count; c++)
            parts.Add(embeddings[c].forward(input.select(1, _layout.CategoricalStart + c).to_type(ScalarType.Int64)));
        for (var t = 0; t < texts.Count; t++)
            parts.Add(((IInputEncoder)texts[t]).Encode(input.narrow(1, _textOffsets[t], _layout.Texts[t].Length).to_type(ScalarType.Int64)));
        for (var i = 0; i < _pictures.Length; i++)
        {
            var (body, pixels) = (i == 0 ? image! : images[i - 1], _pictures[i]);
            parts.Add(((IInputEncoder)body).Encode(input.narrow(1, _imageOffsets[i], pixels.Size).reshape(-1, pixels.Channels, pixels.Height, pixels.Width)));
        }
        var x = parts.Count == 1 ? parts[0] : cat(parts, 1);
        if (dropout is not null) x = dropout.forward(x);
        return mlp.forward(x).MoveToOuterDisposeScope();
    }
}
