namespace Lathe.Config;

/// <summary>How Linear and Conv weights start; <c>Auto</c> keeps TorchSharp's own (PyTorch's) defaults.</summary>
public enum InitKind { Auto, XavierUniform, XavierNormal, KaimingUniform, KaimingNormal, Orthogonal, Zeros }
