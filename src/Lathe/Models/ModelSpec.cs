using Lathe.Config;
using Lathe.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>Everything needed to rebuild a network before its weights are loaded: the resolved
/// architecture and the sizes of its input and output. Saved in the bundle as <c>model.json</c>; a
/// <c>model.json</c> without the later options (earlier bundles) gets their defaults, which are the earlier nets; one
/// with an option this Lathe does not know (a later bundle) is refused rather than rebuilt without it.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ModelSpec(ModelKind Kind, long[] InputShape, int Outputs, IReadOnlyList<int> Layers, IReadOnlyList<int> Channels, int Dense, double Dropout)
{
    /// <summary>Resolves <c>model: auto</c> from the input: images (alone or fused with table columns in the
    /// <paramref name="layout"/>) get the CNN, tables the embedding network when the pipeline packed them with a
    /// <paramref name="layout"/> (as <c>lathe train</c> does), else the MLP. The <paramref name="task"/> says what an
    /// ensemble's members average (needed only with <c>model.ensemble</c>). The <paramref name="numberGroups"/> are each
    /// number's piecewise-linear bin columns in the input (<see cref="FittedPipeline.NumberGroups"/>), embedded per number
    /// with <c>model.number_embedding</c>.</summary>
    public static ModelSpec Resolve(ModelConfig config, long[] inputShape, int outputs, InputLayout? layout = null, TaskKind? task = null,
        IReadOnlyList<int[]>? numberGroups = null)
    {
        var fused = layout?.Image;
        var kind = config.Kind;
        if (kind == ModelKind.Auto) kind = inputShape.Length == 3 || fused is not null ? ModelKind.Cnn : layout is null ? ModelKind.Mlp : ModelKind.Tabular;
        if (fused is not null && kind is not (ModelKind.Cnn or ModelKind.Resnet))
            throw new LatheException($"model.kind is {ConfigNames.Of(kind)}, but the input fuses the image column '{fused.Name}' with table columns — use cnn or resnet (or auto), which read the image and fuse it with the columns' embeddings");
        if (kind.UsesLayout() && inputShape.Length != 1)
            throw new LatheException($"model.kind is {ConfigNames.Of(kind)}, but the data is images — use cnn, resnet (or auto) for images");
        if (kind.UsesLayout() && layout is null)
            throw new LatheException($"model.kind is {ConfigNames.Of(kind)}, but the features were packed without a layout (one-hot) — fit the pipeline with this model config");
        if (kind == ModelKind.Mlp && layout is not null)
            throw new LatheException("model.kind is mlp, but the features were packed as category codes and token ids — fit the pipeline with model.kind mlp");
        var image = kind is ModelKind.Cnn or ModelKind.Resnet;
        if (image && inputShape.Length != 3 && fused is null)
            throw new LatheException($"model.kind is {ConfigNames.Of(kind)}, but the data has no image column — use mlp (or auto) for tables");
        // The smallest side of any image read: each fused image has its own body, and every one must keep a pixel.
        long[] imageShape = fused is null ? inputShape : layout!.Images.Select(i => new long[] { i.Channels, i.Height, i.Width }).MinBy(i => Math.Min(i[1], i[2]))!;
        var smallest = image ? Math.Min(imageShape[1], imageShape[2]) : 0;
        if (kind == ModelKind.Cnn && Cnn.Side(smallest, config.Channels.Count, config.Kernel, config.Stride, config.Padding, config.Pooling) < 1)
            throw new LatheException($"model.channels has {config.Channels.Count} blocks, but with kernel {config.Kernel}, stride {config.Stride}, padding {config.Padding} and {ConfigNames.Of(config.Pooling)} pooling they shrink {imageShape[1]}x{imageShape[2]} images to nothing — use fewer blocks, more padding or less downsampling");
        if (kind == ModelKind.Resnet && smallest >> ResNet.Downsamplings(config.Channels) < 1)
            throw new LatheException($"model.channels changes the channel count {ResNet.Downsamplings(config.Channels)} times, and each change halves the image, but {imageShape[1]}x{imageShape[2]} images allow at most {(int)Math.Log2(smallest)} — use fewer changes");
        var ensemble = config.Ensemble > 1 ? config.Ensemble : 0;
        if (ensemble > 0 && kind is not (ModelKind.Mlp or ModelKind.Tabular))
            throw new LatheException($"model.ensemble ({config.Ensemble} members) is for the table kinds mlp and tabular, but model.kind is {ConfigNames.Of(kind)} — set `model.ensemble: 0`");
        // Only the networks that end in the MLP read table columns; a number with no bins has nothing to embed.
        var embedNumbers = config.NumberEmbedding > 0 && numberGroups is { Count: > 0 } && (kind is ModelKind.Mlp || kind.UsesLayout() || fused is not null);
        return new ModelSpec(kind, inputShape, outputs, config.Layers, config.Channels, config.Dense, config.Dropout)
        {
            NumberEmbedding = embedNumbers ? config.NumberEmbedding : 0,
            NumberGroups = embedNumbers ? numberGroups!.Select(g => g.ToArray()).ToArray() : null,
            Ensemble = ensemble,
            EnsembleMean = ensemble == 0 ? EnsembleMean.Probabilities : task switch
            {
                TaskKind.Classification => EnsembleMean.Probabilities,
                TaskKind.Multilabel => EnsembleMean.LabelProbabilities,
                TaskKind.Regression => EnsembleMean.Values,
                _ => throw new ArgumentNullException(nameof(task), "an ensemble needs the task, to know what its members average"),
            },
            Activation = config.Activation,
            Norm = config.Norm,
            Residual = config.Residual,
            Kernel = config.Kernel,
            Stride = config.Stride,
            Padding = config.Padding,
            Pooling = config.Pooling,
            BatchNorm = config.BatchNorm,
            Layout = kind.UsesLayout() || fused is not null ? layout : null,
            CategoryEmbedding = config.CategoryEmbedding,
            Embedding = config.Embedding,
            Hidden = config.Hidden,
            SequenceLayers = config.SequenceLayers,
            Bidirectional = config.Bidirectional,
            Heads = config.Heads,
            Feedforward = config.Feedforward,
            SequencePooling = config.SequencePooling,
            TextEncoder = fused is not null && layout!.Texts.Count > 0 ? config.TextEncoder switch
            {
                TextEncoderKind.Lstm => ModelKind.Lstm,
                TextEncoderKind.Gru => ModelKind.Gru,
                TextEncoderKind.Transformer => ModelKind.Transformer,
                _ => throw new LatheException($"the layout has the text columns {string.Join(", ", layout.Texts.Select(t => $"'{t.Name}'"))} as token ids beside the image '{fused.Name}', but model.text_encoder is tfidf — fit the pipeline with this model config"),
            } : null,
        };
    }

    /// <summary>cnn and resnet over an image fused with text columns read as token ids: the text columns' encoder kind
    /// (lstm, gru or transformer); absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ModelKind? TextEncoder { get; init; }

    /// <summary>Tabular and text kinds, and cnn or resnet over an image fused with table columns: how a row is laid out
    /// (numbers | category codes | token ids | pixels).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public InputLayout? Layout { get; init; }

    /// <summary>mlp and tabular: the members of a parameter-efficient ensemble (<see cref="EnsembleLinear"/>); 0 for one
    /// network (earlier bundles).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int Ensemble { get; init; }

    /// <summary>mlp and tabular: values each number's piecewise-linear bins are embedded into (<see cref="Models.NumberEmbedding"/>);
    /// 0 for none (earlier bundles).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int NumberEmbedding { get; init; }

    /// <summary>With a number embedding: each number's bin columns, as positions in the row the MLP reads.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int[][]? NumberGroups { get; init; }

    /// <summary>With an ensemble: what its members' outputs are averaged as.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public EnsembleMean EnsembleMean { get; init; }

    /// <summary>Tabular and text kinds: the embedding width of every categorical column; 0 by <see cref="TabularNet.EmbeddingWidth"/>.</summary>
    public int CategoryEmbedding { get; init; }

    /// <summary>Text kinds: the token embedding width.</summary>
    public int Embedding { get; init; } = 64;

    /// <summary>lstm and gru: the hidden width of each direction.</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Text kinds: recurrent or transformer layers.</summary>
    public int SequenceLayers { get; init; } = 1;

    /// <summary>lstm and gru: both directions.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>transformer: attention heads.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>transformer: feed-forward width.</summary>
    public int Feedforward { get; init; } = 128;

    /// <summary>transformer: mean or classification-token pooling.</summary>
    public SequencePooling SequencePooling { get; init; } = SequencePooling.Mean;

    /// <summary>MLP: the activation after each hidden layer.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.Relu;

    /// <summary>MLP: the normalisation of each hidden layer.</summary>
    public NormKind Norm { get; init; } = NormKind.None;

    /// <summary>MLP: residual connections around each hidden layer.</summary>
    public bool Residual { get; init; }

    /// <summary>CNN and resnet: the convolution kernel's side.</summary>
    public int Kernel { get; init; } = 3;

    /// <summary>CNN: the convolution stride.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>CNN: the zero padding of each convolution.</summary>
    public int Padding { get; init; } = 1;

    /// <summary>CNN: the pooling that ends each block.</summary>
    public PoolingKind Pooling { get; init; } = PoolingKind.Max;

    /// <summary>CNN and resnet: batch norm after each convolution.</summary>
    public bool BatchNorm { get; init; } = true;

    /// <summary>A new network with this architecture and fresh weights from the global generator. The caller owns it.</summary>
    public nn.Module<Tensor, Tensor> Build() => Kind switch
    {
        // An image fused with table columns: the CNN (or resnet) body beside the columns' embeddings, then the MLP.
        ModelKind.Cnn or ModelKind.Resnet when Layout?.Image is not null => Tabular(),
        // Over images the MLP reads each image as one row of its pixels (channels × height × width).
        ModelKind.Mlp => new Mlp(InputShape.Aggregate(1L, (a, b) => a * b), Layers, Dropout, Outputs, Activation, Norm, Residual, Ensemble, EnsembleMean, NumberGroups, NumberEmbedding),
        ModelKind.Cnn => new Cnn(InputShape, Channels, Dense, Dropout, Outputs, Kernel, Stride, Padding, Pooling, BatchNorm),
        ModelKind.Resnet => new ResNet(InputShape[0], Channels, Dropout, Outputs, Kernel, BatchNorm),
        ModelKind.Tabular or ModelKind.Lstm or ModelKind.Gru or ModelKind.Transformer => Tabular(),
        _ => throw new InvalidOperationException($"model kind {Kind} is not resolved"),
    };

    private TabularNet Tabular() => new(Layout!,
        Layout!.Categorical.Select(c => CategoryEmbedding > 0 ? CategoryEmbedding : TabularNet.EmbeddingWidth(c.Cardinality)).ToArray(),
        Encoder, Layers, Dropout, Outputs, Activation, Norm, Residual, ImageEncoder, Ensemble, EnsembleMean, NumberGroups, NumberEmbedding);

    /// <summary>The fused image column's encoder body for this kind: the CNN's blocks and dense layer, or the resnet's
    /// blocks and global pooling; the dropout is the MLP's, after the fusion.</summary>
    private nn.Module<Tensor, Tensor> ImageEncoder(ImageInput image) => Kind switch
    {
        ModelKind.Cnn => new Cnn([image.Channels, image.Height, image.Width], Channels, Dense, 0, 0, Kernel, Stride, Padding, Pooling, BatchNorm),
        ModelKind.Resnet => new ResNet(image.Channels, Channels, 0, 0, Kernel, BatchNorm),
        _ => throw new InvalidOperationException($"model kind {Kind} has no image encoder, but the layout has the image column '{image.Name}'"),
    };

    /// <summary>A text column's encoder body for this kind, or for <see cref="TextEncoder"/> beside an image (tabular has no
    /// text columns: it reads text as TF-IDF).</summary>
    private nn.Module<Tensor, Tensor> Encoder(TextInput text) => (Kind.IsSequence() ? Kind : TextEncoder ?? Kind) switch
    {
        ModelKind.Lstm => new RecurrentEncoder(RecurrentCell.Lstm, text.Vocabulary, Embedding, Hidden, SequenceLayers, Bidirectional, Dropout, 0),
        ModelKind.Gru => new RecurrentEncoder(RecurrentCell.Gru, text.Vocabulary, Embedding, Hidden, SequenceLayers, Bidirectional, Dropout, 0),
        ModelKind.Transformer => new SequenceTransformer(text.Vocabulary, text.Length, Embedding, Heads, SequenceLayers, Feedforward, Dropout, SequencePooling, 0),
        _ => throw new InvalidOperationException($"model kind {Kind} has no text encoder, but the layout has text column '{text.Name}'"),
    };
}
