using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lathe.Config;

/// <summary>Reads YAML text into <see cref="PipelineConfig"/>, collecting every problem with its line
/// instead of stopping at the first. Relative file paths are resolved against the config's folder.</summary>
public sealed class ConfigReader
{
    private readonly string? _file;
    private readonly string _baseDirectory;
    private readonly List<ConfigError> _errors = [];
    private readonly Dictionary<string, int> _lines = [];
    private string _path = "";

    private ConfigReader(string? file, string baseDirectory)
    {
        _file = file;
        _baseDirectory = baseDirectory;
    }

    /// <summary>Reads and validates a config file; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static PipelineConfig Load(string file)
    {
        if (!File.Exists(file))
            throw new LatheException($"config file '{file}' does not exist — check the path, or write one with `lathe init --data FILE --target COLUMN`");
        var full = System.IO.Path.GetFullPath(file);
        return Parse(File.ReadAllText(full), file, System.IO.Path.GetDirectoryName(full)!);
    }

    /// <summary>Reads and validates config text. <paramref name="file"/> only names it in messages.</summary>
    public static PipelineConfig Parse(string yaml, string? file = null, string? baseDirectory = null)
    {
        var reader = new ConfigReader(file, baseDirectory ?? Directory.GetCurrentDirectory());
        var config = reader.ReadDocument(yaml);
        if (reader._errors.Count == 0)
        {
            foreach (var error in ConfigValidator.Validate(config))
                reader._errors.Add(error with { Line = reader._lines.GetValueOrDefault(error.Path) is var line && line > 0 ? line : null });
        }
        if (reader._errors.Count > 0) throw new ConfigException(file, reader._errors);
        return config;
    }

    private PipelineConfig ReadDocument(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            _errors.Add(new ConfigError("", (int)e.Start.Line, $"not valid YAML: {e.InnerException?.Message ?? e.Message}"));
            return new PipelineConfig();
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            _errors.Add(new ConfigError("", 1, "the config is empty or not a mapping of keys", "start from `lathe init --data FILE --target COLUMN`"));
            return new PipelineConfig();
        }
        return Section(root, ConfigSchema.Root, new PipelineConfig());
    }

    internal T Section<T>(YamlNode node, ConfigSection<T> section, T current) where T : class
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, $"expected a mapping of keys ({string.Join(", ", section.Keys.Select(k => k.Name))})");
            return current;
        }
        var outer = _path;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var name = ((keyNode as YamlScalarNode)?.Value ?? "").Trim();
            var key = section.Keys.FirstOrDefault(k => k.Name == name);
            _path = outer.Length == 0 ? name : $"{outer}.{name}";
            if (key is null)
            {
                var nearest = ConfigNames.Nearest(name, section.Keys.Select(k => k.Name));
                var valid = string.Join(", ", section.Keys.Select(k => k.Name));
                _errors.Add(new ConfigError(outer, Line(keyNode), $"unknown key '{name}'",
                    nearest is null ? $"valid keys here: {valid}" : $"did you mean '{nearest}'?"));
                continue;
            }
            _lines[_path] = Line(keyNode);
            current = key.Read(current, valueNode, this);
        }
        _path = outer;
        return current;
    }

    internal T? OptionalSection<T>(YamlNode node, ConfigSection<T> section, T current) where T : class =>
        IsNull(node) ? null : Section(node, section, current);

    internal string String(YamlNode node) => Scalar(node, "a string") ?? "";

    internal string? OptionalString(YamlNode node) => IsNull(node) ? null : String(node);

    internal string FilePath(YamlNode node)
    {
        var text = String(node);
        return text.Length == 0 ? text : System.IO.Path.GetFullPath(text, _baseDirectory);
    }

    internal string? OptionalFilePath(YamlNode node) => IsNull(node) ? null : FilePath(node);

    internal int Int(YamlNode node)
    {
        var text = Scalar(node, "a whole number");
        if (text is null) return 0;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
        Error(node, $"expected a whole number, got '{text}'");
        return 0;
    }

    internal int? OptionalInt(YamlNode node) => IsNull(node) ? null : Int(node);

    /// <summary>A whole number, or auto (null: found from the data).</summary>
    internal int? AutoInt(YamlNode node) => node is YamlScalarNode { Value: "auto" } ? null : Int(node);

    internal double Double(YamlNode node)
    {
        var text = Scalar(node, "a number");
        if (text is null) return 0;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        Error(node, $"expected a number, got '{text}'");
        return 0;
    }

    internal bool Bool(YamlNode node)
    {
        var text = Scalar(node, "true or false")?.ToLowerInvariant();
        switch (text)
        {
            case "true" or "yes" or "on": return true;
            case "false" or "no" or "off": return false;
            case null: return false;
        }
        Error(node, $"expected true or false, got '{text}'");
        return false;
    }

    internal TEnum Enum<TEnum>(YamlNode node) where TEnum : struct, Enum
    {
        var text = Scalar(node, "a name");
        if (text is null) return default;
        if (ConfigNames.TryParse<TEnum>(text, out var value)) return value;
        var names = ConfigNames.All<TEnum>();
        var nearest = ConfigNames.Nearest(text, names);
        _errors.Add(new ConfigError(_path, Line(node), $"unknown value '{text}'",
            nearest is null ? $"use one of: {string.Join(", ", names)}" : $"did you mean '{nearest}'? (one of: {string.Join(", ", names)})"));
        return default;
    }

    internal IReadOnlyList<int> IntList(YamlNode node) => List(node, Int);

    /// <summary>An image side for both sides (<c>24</c>) or one per side (<c>[24, 20]</c>).</summary>
    internal IReadOnlyList<int> IntSides(YamlNode node) => node is YamlScalarNode && !IsNull(node) ? [Int(node)] : List(node, Int);

    internal IReadOnlyList<double> DoubleSides(YamlNode node) => node is YamlScalarNode && !IsNull(node) ? [Double(node)] : List(node, Double);

    internal IReadOnlyDictionary<string, string> StringMap(YamlNode node)
    {
        if (IsNull(node)) return new Dictionary<string, string>();
        if (node is not YamlMappingNode mapping)
        {
            Error(node, "expected a mapping of name: value");
            return new Dictionary<string, string>();
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children) map[((key as YamlScalarNode)?.Value ?? "").Trim()] = String(value);
        return map;
    }

    internal IReadOnlyList<string> StringList(YamlNode node) => List(node, String);

    private IReadOnlyList<TItem> List<TItem>(YamlNode node, Func<YamlNode, TItem> item)
    {
        if (IsNull(node)) return [];
        if (node is YamlSequenceNode sequence) return sequence.Children.Select(item).ToArray();
        Error(node, "expected a list, like [a, b]");
        return [];
    }

    private string? Scalar(YamlNode node, string expected)
    {
        if (node is YamlScalarNode scalar) return scalar.Value;
        Error(node, $"expected {expected}, got a {(node is YamlSequenceNode ? "list" : "mapping")}");
        return null;
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private void Error(YamlNode node, string message) => _errors.Add(new ConfigError(_path, Line(node), message));

    private static int Line(YamlNode node) => (int)node.Start.Line;
}
