using System.Text.Json;
using Lathe.Bundles;
using Lathe.Config;
using Lathe.Models;

namespace Lathe.Tests.Models;

public class ModelSpecTests
{
    [Fact]
    public void A_model_json_from_before_the_options_rebuilds_the_earlier_nets()
    {
        const string earlier = """{"kind": "cnn", "input_shape": [1, 28, 28], "outputs": 10, "layers": [128, 64], "channels": [32, 64], "dense": 128, "dropout": 0.1}""";
        var spec = JsonSerializer.Deserialize<ModelSpec>(earlier, BundleJson.Options)!;
        Assert.Equal((ActivationKind.Relu, NormKind.None, false, 3, 1, 1, PoolingKind.Max, true),
            (spec.Activation, spec.Norm, spec.Residual, spec.Kernel, spec.Stride, spec.Padding, spec.Pooling, spec.BatchNorm));
        using var model = spec.Build();
        using var foundation = new Cnn([1, 28, 28], [32, 64], 128, 0.1, 10);
        Assert.Equal(foundation.named_parameters().Select(p => (p.name, p.parameter.shape)), model.named_parameters().Select(p => (p.name, p.parameter.shape)));
    }

    [Fact]
    public void A_model_json_with_an_option_this_lathe_does_not_know_is_refused()
    {
        var spec = ModelSpec.Resolve(new ModelConfig { Residual = true }, [7], 3);
        var json = JsonSerializer.Serialize(spec, BundleJson.Options);
        Assert.Equal(spec.Residual, JsonSerializer.Deserialize<ModelSpec>(json, BundleJson.Options)!.Residual);
        var later = json.TrimEnd().TrimEnd('}') + ", \"attention_heads\": 4}";
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ModelSpec>(later, BundleJson.Options));
    }
}
