namespace Lathe.Config;

/// <summary>What each model kind takes as input.</summary>
public static class ModelKinds
{
    /// <summary>Kinds that read text as token-id sequences (<c>TextSequence</c>) rather than TF-IDF features.</summary>
    public static bool IsSequence(this ModelKind kind) => kind is ModelKind.Lstm or ModelKind.Gru or ModelKind.Transformer;

    /// <summary>Kinds fed by the segmented layout (numbers | category codes | token ids) instead of one-hot features.</summary>
    public static bool UsesLayout(this ModelKind kind) => kind is ModelKind.Tabular || kind.IsSequence();

    /// <summary>What <c>auto</c> picks for tables.</summary>
    public const ModelKind TableDefault = ModelKind.Mlp;

    /// <summary><c>auto</c> resolved from the data's modality: images get the CNN, tables <see cref="TableDefault"/>.</summary>
    public static ModelKind Resolve(this ModelKind kind, bool images) =>
        kind != ModelKind.Auto ? kind : images ? ModelKind.Cnn : TableDefault;
}
