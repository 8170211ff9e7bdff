namespace Lathe.Config;

/// <summary>How the learning rate changes during training.</summary>
public enum ScheduleKind { None, Step, Cosine, OneCycle, ReduceOnPlateau }
