using System.Buffers.Binary;
using System.Text;
using Lathe.Bundles;
using static TorchSharp.torch;

namespace Lathe.Tests.Bundles;

public class SafeTensorsTests
{
    [Fact]
    public void Tensors_round_trip_exactly()
    {
        using var weight = randn(3, 4);
        using var count = tensor(new long[] { 7 });
        var bytes = SafeTensors.Write(new Dictionary<string, Tensor> { ["layer.weight"] = weight, ["norm.count"] = count });
        var read = SafeTensors.Read(bytes, "weights.safetensors");
        Assert.Equal(weight.data<float>().ToArray(), read["layer.weight"].data<float>().ToArray());
        Assert.Equal(new long[] { 3, 4 }, read["layer.weight"].shape);
        Assert.Equal(7, read["norm.count"].item<long>());
        foreach (var t in read.Values) t.Dispose();
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlap or leave a gap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "its shape needs 12")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8, "too large to exist")]
    [InlineData("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unsupported dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, "belong to none")]
    [InlineData("{not json", 0, "not valid JSON")]
    public void Malformed_headers_are_refused_with_the_reason(string header, int dataBytes, string reason)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        var error = Assert.Throws<BundleFormatException>(() => SafeTensors.Read(file, "weights.safetensors"));
        Assert.Contains("entry 'weights.safetensors'", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_header_length_past_the_end_is_refused_before_reading()
    {
        var file = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(file, 50_000_000);
        Assert.Contains("runs past the end", Assert.Throws<BundleFormatException>(() => SafeTensors.Read(file, "w")).Message);
        BinaryPrimitives.WriteUInt64LittleEndian(file, ulong.MaxValue);
        Assert.Contains("more than the", Assert.Throws<BundleFormatException>(() => SafeTensors.Read(file, "w")).Message);
    }
}
