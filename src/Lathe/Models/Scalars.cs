using TorchSharp;

namespace Lathe.Models;

/// <summary>Scalars made once. TorchSharp's <c>add(tensor)</c> and <c>add_(tensor)</c> pass an <c>alpha</c> of 1 made
/// anew on every call and never disposed, which the finalizer then has to release; forward passes use these.</summary>
public static class Scalars
{
    public static readonly Scalar One = 1.ToScalar();
}
