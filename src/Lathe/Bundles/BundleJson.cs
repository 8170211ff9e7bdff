using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lathe.Bundles;

/// <summary>The JSON conventions of bundle entries and run outputs: snake_case names, enums as snake_case
/// strings, indented for people to read.</summary>
public static class BundleJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
