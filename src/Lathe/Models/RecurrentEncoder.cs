using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Models;

/// <summary>A recurrent text model: token embeddings (padding id 0 embeds as zeros), stacked LSTM or GRU layers,
/// optionally bidirectional, the mean of the outputs over the real tokens, dropout and a linear head.
/// Takes int64 token ids [batch, length], padded at the end. With <c>outputs</c> 0 it is a body without dropout and head,
/// for <see cref="TabularNet"/> to fuse with other inputs.</summary>
public sealed class RecurrentEncoder : nn.Module<Tensor, Tensor>, IInputEncoder
{
    private readonly Embedding embedding;
    private readonly LSTM? lstm;
    private readonly GRU? gru;
    private readonly nn.Module<Tensor, Tensor>? classifier;

    public RecurrentEncoder(RecurrentCell cell, long vocabulary, int dimension, int hidden, int layers, bool bidirectional, double dropout, int outputs)
        : base(cell == RecurrentCell.Lstm ? "lstm" : "gru")
    {
        embedding = nn.Embedding(vocabulary, dimension, padding_idx: Sequence.PaddingId);
        // Dropout between stacked layers only; PyTorch warns that it does nothing with one layer.
        var between = layers > 1 ? dropout : 0;
        if (cell == RecurrentCell.Lstm) lstm = nn.LSTM(dimension, hidden, layers, batchFirst: true, dropout: between, bidirectional: bidirectional);
        else gru = nn.GRU(dimension, hidden, layers, batchFirst: true, dropout: between, bidirectional: bidirectional);
        Width = bidirectional ? 2 * hidden : hidden;
        classifier = Sequence.Head(Width, dropout, outputs);
        RegisterComponents();
    }

    public long Width { get; }

    public override Tensor forward(Tensor tokens)
    {
        if (classifier is null) throw new InvalidOperationException("this encoder has no head; call Encode");
        using var pooled = Encode(tokens);
        return classifier.forward(pooled);
    }

    public Tensor Encode(Tensor tokens)
    {
        using var real = tokens.ne(Sequence.PaddingId);
        using var embedded = embedding.forward(tokens);
        Tensor states;
        if (lstm is not null)
        {
            var (output, h, c) = lstm.forward(embedded);
            h.Dispose();
            c.Dispose();
            states = output;
        }
        else
        {
            var (output, h) = gru!.forward(embedded);
            h.Dispose();
            states = output;
        }
        using (states)
            return Sequence.MaskedMean(states, real);
    }
}
