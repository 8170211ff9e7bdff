namespace Lathe.Config;

/// <summary>The training loss; <c>Auto</c> is cross-entropy for classification and MSE for regression.</summary>
public enum LossKind { Auto, CrossEntropy, BinaryCrossEntropy, Focal, Mse, Mae, Huber }

public static class LossKinds
{
    /// <summary>Whether the loss compares class scores with class labels (or numbers with numbers).</summary>
    public static bool IsClassification(this LossKind loss) => loss is LossKind.CrossEntropy or LossKind.BinaryCrossEntropy or LossKind.Focal;
}
