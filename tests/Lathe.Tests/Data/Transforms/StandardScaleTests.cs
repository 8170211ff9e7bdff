using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class StandardScaleTests
{
    [Fact]
    public void Training_columns_come_out_with_mean_zero_and_unit_deviation()
    {
        var (train, _, _) = PenguinsParts.Typed();
        var imputed = new Impute().Fit(train).Transform(train);
        var scaled = new StandardScale().Fit(imputed).Transform(imputed);
        foreach (var column in scaled.Columns.OfType<NumericColumn>())
        {
            var mean = column.Values.Average();
            var std = Math.Sqrt(column.Values.Sum(v => (v - mean) * (v - mean)) / (column.Count - 1));
            Assert.Equal(0, mean, 1e-9);
            Assert.Equal(1, std, 1e-9);
        }
    }

    [Fact]
    public void Fitted_scaler_uses_training_figures_on_every_part()
    {
        var (train, validation, _) = PenguinsParts.Typed();
        var fitted = (FittedStandardScale)new StandardScale().Fit(train);
        var body = fitted.Columns.Single(c => c.Name == "Body Mass (g)");
        var trainBody = ((NumericColumn)train["Body Mass (g)"]).Values.Where(v => !double.IsNaN(v)).ToArray();
        Assert.Equal(trainBody.Average(), body.Mean, 1e-9);

        // Validation rows, however extreme, are scaled with the training figures (TrainingRunTests proves they change no fitted statistic).
        var extreme = validation.With(validation.Columns.Select(c => c is NumericColumn n ? new NumericColumn(c.Name, n.Values.Select(v => v * 1000).ToArray()) : c).ToArray());
        var value = ((NumericColumn)extreme["Body Mass (g)"]).Values[0];
        Assert.Equal((value - body.Mean) / body.Std, ((NumericColumn)fitted.Transform(extreme)["Body Mass (g)"]).Values[0], 1e-9);
    }
}
