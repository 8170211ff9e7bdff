using Lathe.Data.Transforms;

namespace Lathe.Tests.Data.Transforms;

public class TextNormalizationTests
{
    [Fact]
    public void Text_is_made_uniform_by_nfkc_lower_case_and_collapsed_white_space()
    {
        Assert.Equal("the ﬁrst café, part ２", new TextNormalization(Nfkc: false).Apply("  The ﬁrst CAFÉ,\t part ２ \n"));
        Assert.Equal("the first café, part 2", new TextNormalization().Apply("  The ﬁrst CAFÉ,\t part ２ \n"));
    }

    [Fact]
    public void Each_normalisation_can_be_turned_off()
    {
        const string text = " Ａ  B ";
        Assert.Equal(" A  B ", new TextNormalization(Lowercase: false, CollapseWhitespace: false).Apply(text));
        Assert.Equal("Ａ B", new TextNormalization(Nfkc: false, Lowercase: false).Apply(text));
        Assert.Equal(" ａ  b ", new TextNormalization(Nfkc: false, CollapseWhitespace: false).Apply(text));
        Assert.Equal(text, new TextNormalization(false, false, false).Apply(text));
    }
}
