using Lathe.Data.Schema;
using Lathe.Data.Sources;

namespace Lathe.Tests.Data.Schema;

public class SchemaInferenceTests
{
    private static DataSchema Infer(string file, string target, params string[] exclude) =>
        SchemaInference.Infer(DataSource.Open(TestData.Vega(file)).Read(), target, exclude);

    [Fact]
    public void Penguins_columns_are_numeric_and_categorical()
    {
        var schema = Infer("penguins.json", "Species");
        Assert.Equal(ColumnType.Categorical, schema.Find("Island")!.Type);
        Assert.Equal(ColumnType.Categorical, schema.Find("Sex")!.Type);
        Assert.Equal(ColumnType.Numeric, schema.Find("Body Mass (g)")!.Type);
        Assert.Equal("the target", schema.Find("Species")!.Unused);
        Assert.Equal(6, schema.Features.Count());
    }

    [Fact]
    public void Dates_and_free_text_are_recognised_in_cars()
    {
        var schema = Infer("cars.json", "Origin");
        Assert.Equal(ColumnType.DateTime, schema.Find("Year")!.Type);
        Assert.Equal(ColumnType.Text, schema.Find("Name")!.Type);
        Assert.False(schema.Find("Name")!.IsFeature);
        Assert.Equal(ColumnType.Numeric, schema.Find("Horsepower")!.Type);
    }

    [Fact]
    public void Csv_text_is_typed_from_its_values()
    {
        var schema = Infer("seattle-weather.csv", "weather");
        Assert.Equal(ColumnType.DateTime, schema.Find("date")!.Type);
        Assert.Equal(ColumnType.Numeric, schema.Find("precipitation")!.Type);
        Assert.Equal(ColumnType.Categorical, schema.Find("weather")!.Type);
    }

    [Fact]
    public void Movie_titles_are_text_and_ratings_categorical()
    {
        var schema = Infer("movies.json", "Major Genre");
        Assert.Equal(ColumnType.Text, schema.Find("Title")!.Type);
        Assert.Equal(ColumnType.Categorical, schema.Find("MPAA Rating")!.Type);
        Assert.Equal(ColumnType.Numeric, schema.Find("IMDB Rating")!.Type);
    }

    [Fact]
    public void Excluded_columns_are_kept_out_of_the_features()
    {
        var schema = Infer("penguins.json", "Species", "Island");
        Assert.Equal("excluded in data.exclude", schema.Find("Island")!.Unused);
    }

    [Fact]
    public void Images_and_booleans_are_recognised()
    {
        var images = SchemaInference.Infer(DataSource.Open(TestData.FashionTestImages, labels: TestData.FashionTestLabels).Read(), "label");
        Assert.Equal(ColumnType.Image, images.Find("image")!.Type);
        Assert.Equal(ColumnType.Boolean, SchemaInference.InferType(new Lathe.Data.StringColumn("b", ["yes", "no", null, "Yes"])));
        Assert.Equal(ColumnType.Boolean, SchemaInference.InferType(new Lathe.Data.StringColumn("b", ["1", "0", "1"])));
    }
}
