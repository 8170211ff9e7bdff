namespace Lathe.Config;

/// <summary>The non-linearity after each hidden layer: ReLU, GELU, SiLU (swish), tanh or leaky ReLU (slope 0.01).</summary>
public enum ActivationKind { Relu, Gelu, Silu, Tanh, LeakyRelu }
