namespace Lathe.Config;

/// <summary>The optimiser, each TorchSharp's own implementation (<c>torch.optim</c>).</summary>
public enum OptimizerKind { Adam, AdamW, Sgd, Rmsprop, Adagrad }
