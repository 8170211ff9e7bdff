using YamlDotNet.RepresentationModel;

namespace Lathe.Config;

/// <summary>One key of a config section, declared once: its name, the comment <c>lathe init</c>
/// writes above it, how to read it into the record and how to get its value back out.</summary>
internal interface IConfigKey
{
    string Name { get; }
    string Help { get; }
    object? ValueOf(object record);
}

internal sealed class ConfigKey<T>(string name, string help, Func<T, object?> get, Func<T, YamlNode, ConfigReader, T> read)
    : IConfigKey where T : class
{
    public string Name => name;
    public string Help => help;
    public object? ValueOf(object record) => get((T)record);
    public T Read(T record, YamlNode node, ConfigReader reader) => read(record, node, reader);
}

/// <summary>A mapping in the config (the root, <c>data</c>, <c>training</c>, …) and its keys.</summary>
internal sealed class ConfigSection<T>(string help, params ConfigKey<T>[] keys) : IConfigSection where T : class
{
    public string Help => help;
    public IReadOnlyList<ConfigKey<T>> Keys => keys;
    IEnumerable<IConfigKey> IConfigSection.Keys => keys;
}

internal interface IConfigSection
{
    string Help { get; }
    IEnumerable<IConfigKey> Keys { get; }
}
