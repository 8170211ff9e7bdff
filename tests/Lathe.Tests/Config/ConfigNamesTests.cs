using Lathe.Config;

namespace Lathe.Tests.Config;

public class ConfigNamesTests
{
    [Theory]
    [InlineData("MacroF1", "macro_f1")]
    [InlineData("CrossEntropy", "cross_entropy")]
    [InlineData("AdamW", "adamw")]
    [InlineData("R2", "r2")]
    [InlineData("BatchSize", "batch_size")]
    public void Names_are_snake_case_as_config_spells_them(string pascal, string snake) => Assert.Equal(snake, ConfigNames.Snake(pascal));

    [Fact]
    public void Nearest_finds_typos_but_not_unrelated_words()
    {
        string[] keys = ["task", "target", "metric", "seed", "data", "model", "training"];
        Assert.Equal("training", ConfigNames.Nearest("trainig", keys));
        Assert.Equal("target", ConfigNames.Nearest("taregt", keys));
        Assert.Null(ConfigNames.Nearest("completely_different", keys));
    }
}
