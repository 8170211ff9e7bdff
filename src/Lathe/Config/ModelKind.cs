namespace Lathe.Config;

/// <summary>The architecture: an MLP for tables, a small CNN or a residual CNN (resnet) for images; <c>Auto</c>
/// chooses from the data.</summary>
public enum ModelKind { Auto, Mlp, Cnn, Resnet }
