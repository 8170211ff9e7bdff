namespace Lathe.Config;

/// <summary>What reduce-on-plateau watches: the validation loss (Keras's default), or the validation metric early stopping uses.</summary>
public enum PlateauMonitor { Loss, Metric }
