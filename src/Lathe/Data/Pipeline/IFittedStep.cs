using System.Text.Json.Serialization;
using Lathe.Data.Cleaning;
using Lathe.Data.Transforms;

namespace Lathe.Data.Pipeline;

/// <summary>A fitted step: plain data (saved in the bundle as JSON) that transforms any batch the same way.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(FittedImpute), "impute")]
[JsonDerivedType(typeof(FittedStandardScale), "standard_scale")]
[JsonDerivedType(typeof(FittedOneHotEncode), "one_hot")]
[JsonDerivedType(typeof(FittedImageNormalize), "image_normalize")]
public interface IFittedStep
{
    Table Transform(Table table);
}
