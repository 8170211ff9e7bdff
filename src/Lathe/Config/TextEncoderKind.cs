namespace Lathe.Config;

/// <summary><c>model.text_encoder</c>: how cnn and resnet read text columns beside their image — as TF-IDF features
/// (the default, as tables read text), or as token-id sequences through a sequence encoder, as the text kinds do.</summary>
public enum TextEncoderKind
{
    Tfidf,
    Lstm,
    Gru,
    Transformer,
}
