using System.Text.Json.Serialization;
using Lathe.Data.Cleaning;
using Lathe.Data.Features;
using Lathe.Data.Transforms;

namespace Lathe.Data.Pipeline;

/// <summary>A fitted step: plain data (saved in the bundle as JSON) that transforms any batch the same way.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(FittedTextVectorize), "text_tfidf")]
[JsonDerivedType(typeof(FittedTextSequence), "text_sequence")]
[JsonDerivedType(typeof(FittedDeriveFeatures), "derive")]
[JsonDerivedType(typeof(FittedDropColumns), "drop_columns")]
[JsonDerivedType(typeof(FittedImpute), "impute")]
[JsonDerivedType(typeof(FittedValueCategories), "value_categories")]
[JsonDerivedType(typeof(FittedClipOutliers), "clip_outliers")]
[JsonDerivedType(typeof(FittedPowerTransform), "power_transform")]
[JsonDerivedType(typeof(FittedQuantileBin), "quantile_bin")]
[JsonDerivedType(typeof(FittedScale), "scale")]
[JsonDerivedType(typeof(FittedPiecewiseLinearEncode), "piecewise_linear")]
[JsonDerivedType(typeof(FittedHashEncode), "hashing")]
[JsonDerivedType(typeof(FittedOneHotEncode), "one_hot")]
[JsonDerivedType(typeof(FittedOrdinalEncode), "ordinal")]
[JsonDerivedType(typeof(FittedTargetEncode), "target_encode")]
[JsonDerivedType(typeof(FittedSelectFeatures), "select_features")]
[JsonDerivedType(typeof(FittedImageCrop), "image_crop")]
[JsonDerivedType(typeof(FittedImageGrayscale), "image_grayscale")]
[JsonDerivedType(typeof(FittedImageResize), "image_resize")]
[JsonDerivedType(typeof(FittedImageNormalize), "image_normalize")]
public interface IFittedStep
{
    Table Transform(Table table);
}
