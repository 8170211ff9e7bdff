using Lathe.Config;
using Lathe.Data;
using Lathe.Data.Cleaning;
using Lathe.Data.Pipeline;

namespace Lathe.Tests.Data.Cleaning;

public class OutlierRowsTests
{
    [Fact]
    public void Dropping_outliers_removes_training_rows_outside_the_fences_and_leaves_the_other_parts()
    {
        // Cars: a few engines are far above the others' horsepower and weight.
        var clip = new PipelineConfig
        {
            Target = "Origin",
            Data = new DataConfig { Path = TestData.Vega("cars.json"), Exclude = ["Name"] },
            Prepare = new PrepareConfig { Outliers = OutlierMethod.Iqr },
        };
        var drop = clip with { Prepare = clip.Prepare with { OutlierAction = OutlierAction.Drop } };
        var clipped = Preparation.Run(clip, TestData.TempDirectory());
        var dropped = Preparation.Run(drop, TestData.TempDirectory());

        // The fences are those of the whole training part: count its rows outside them by hand.
        var typed = TypeCoercion.Apply(clipped.Train, clipped.Schema);
        var fences = ((FittedClipOutliers)new ClipOutliers(OutlierMethod.Iqr, 1.5).Fit(typed)).Columns;
        var outside = Enumerable.Range(0, typed.RowCount).Count(row => fences.Any(f =>
            ((NumericColumn)typed[f.Name]).Values[row] is var v && !double.IsNaN(v) && (v < f.Lower || v > f.Upper)));
        Assert.True(outside > 0);
        Assert.Equal(outside, dropped.Rows.OutlierRowsDropped);
        Assert.Equal(clipped.Rows.Train - outside, dropped.Rows.Train);
        Assert.Equal((clipped.Rows.Validation, clipped.Rows.Test), (dropped.Rows.Validation, dropped.Rows.Test));
        Assert.Equal(0, clipped.Rows.OutlierRowsDropped);
    }
}
