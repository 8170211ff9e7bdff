namespace Lathe.Data.Pipeline;

/// <summary>A step whose training rows must get other values than a plain <see cref="IFittedStep.Transform"/>
/// would give them — out-of-fold target encoding, where a row's own label must not reach its features.
/// Fitting returns the fitted step (for every other row) together with the training rows as they should be seen.</summary>
public interface IFitTransformStep : IPipelineStep
{
    (IFittedStep Fitted, Table Train) FitTransform(Table train);
}
