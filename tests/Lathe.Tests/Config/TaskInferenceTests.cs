using Lathe.Config;
using Lathe.Data.Sources;

namespace Lathe.Tests.Config;

public class TaskInferenceTests
{
    [Theory]
    [InlineData("penguins.json", "Species", TaskKind.Classification)]
    [InlineData("cars.json", "Miles_per_Gallon", TaskKind.Regression)]
    [InlineData("cars.json", "Cylinders", TaskKind.Classification)]
    [InlineData("seattle-weather.csv", "weather", TaskKind.Classification)]
    [InlineData("seattle-weather.csv", "temp_max", TaskKind.Regression)]
    public void Task_follows_from_the_target_values(string file, string target, TaskKind expected)
    {
        var table = DataSource.Open(TestData.Vega(file)).Read();
        Assert.Equal(expected, TaskInference.Infer(table[target]));
    }
}
