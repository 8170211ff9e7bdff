using Lathe.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A transformer encoder for text: token embeddings plus learned position embeddings, N encoder layers
/// (self-attention that ignores padding, then a feed-forward layer), pooled by the mean over the real tokens or by a
/// classification token, then layer norm, dropout and a linear head. Takes int64 token ids [batch, length] with
/// length up to <c>maxLength</c>, padded at the end with id 0. With <c>outputs</c> 0 it is a body without dropout and
/// head (the layer norm stays), for <see cref="TabularNet"/> to fuse with other inputs.</summary>
public sealed class SequenceTransformer : nn.Module<Tensor, Tensor>, IInputEncoder
{
    private readonly Embedding tokens;
    private readonly Embedding positions;
    private readonly Parameter? cls;
    private readonly TransformerEncoder encoder;
    private readonly LayerNorm norm;
    private readonly nn.Module<Tensor, Tensor>? classifier;
    private readonly SequencePooling _pooling;
    private readonly int _maxLength;

    public SequenceTransformer(long vocabulary, int maxLength, int dimension, int heads, int layers, int feedforward, double dropout,
        SequencePooling pooling, int outputs) : base("transformer")
    {
        if (dimension % heads != 0) throw new ArgumentException($"the dimension ({dimension}) must be a multiple of the heads ({heads})", nameof(heads));
        _pooling = pooling;
        _maxLength = maxLength;
        tokens = nn.Embedding(vocabulary, dimension, padding_idx: Sequence.PaddingId);
        positions = nn.Embedding(maxLength + (pooling == SequencePooling.Cls ? 1 : 0), dimension);
        if (pooling == SequencePooling.Cls) cls = nn.Parameter(randn(1, 1, dimension).mul_(0.02));
        encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(dimension, heads, feedforward, dropout), layers);
        norm = nn.LayerNorm(dimension);
        Width = dimension;
        classifier = Sequence.Head(dimension, dropout, outputs);
        RegisterComponents();
    }

    public long Width { get; }

    public override Tensor forward(Tensor ids)
    {
        if (classifier is null) throw new InvalidOperationException("this encoder has no head; call Encode");
        using var pooled = Encode(ids);
        return classifier.forward(pooled);
    }

    public Tensor Encode(Tensor ids)
    {
        if (ids.size(1) > _maxLength)
            throw new ArgumentException($"sequences of {ids.size(1)} tokens are longer than this model's {_maxLength}", nameof(ids));
        using var scope = NewDisposeScope();
        var padding = ids.eq(Sequence.PaddingId);
        var x = tokens.forward(ids);
        if (cls is not null)
        {
            var batch = ids.size(0);
            x = cat([cls.expand(batch, 1, -1), x], 1);
            padding = cat([zeros(batch, 1, ScalarType.Bool, ids.device), padding], 1);
        }
        x = x.add(positions.forward(arange(x.size(1), ScalarType.Int64, ids.device)), Scalars.One);
        // A row of padding alone would attend to nothing (NaN); it attends to its padding instead and pools to zeros.
        var keyMask = padding.logical_and(padding.all(1, keepdim: true).logical_not());
        var states = encoder.forward(x.transpose(0, 1), null!, keyMask).transpose(0, 1);
        var pooled = _pooling == SequencePooling.Cls ? states.select(1, 0) : Sequence.MaskedMean(states, padding.logical_not());
        return norm.forward(pooled).MoveToOuterDisposeScope();
    }
}
