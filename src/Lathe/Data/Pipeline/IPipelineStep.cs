namespace Lathe.Data.Pipeline;

/// <summary>An unfitted preprocessing step: a description that learns its parameters from the training part.</summary>
public interface IPipelineStep
{
    IFittedStep Fit(Table train);
}
