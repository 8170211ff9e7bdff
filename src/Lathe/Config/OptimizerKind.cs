namespace Lathe.Config;

public enum OptimizerKind { Adam, Sgd }
