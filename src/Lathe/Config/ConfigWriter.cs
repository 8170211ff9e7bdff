using System.Collections;
using System.Globalization;
using System.Text;

namespace Lathe.Config;

/// <summary>Writes a config back to YAML, every key with the comment that explains it, so a written
/// config is both complete and editable. <c>lathe init</c> and <c>config.resolved.yaml</c> use it.</summary>
public static class ConfigWriter
{
    public static string Write(PipelineConfig config, string? header = null)
    {
        var text = new StringBuilder();
        if (header is not null)
        {
            foreach (var line in header.Split('\n')) text.Append("# ").AppendLine(line.TrimEnd());
            text.AppendLine();
        }
        WriteSection(text, config, ConfigSchema.Root, 0);
        return text.ToString();
    }

    private static void WriteSection(StringBuilder text, object record, IConfigSection section, int depth)
    {
        var indent = new string(' ', depth * 2);
        foreach (var key in section.Keys)
        {
            var value = key.ValueOf(record);
            var help = key.Help;
            if (value is Enum e) help += $" One of: {string.Join(", ", Enum.GetNames(e.GetType()).Select(ConfigNames.Snake))}.";
            text.Append(indent).Append("# ").AppendLine(help);
            var nested = value is null ? null : ConfigSchema.SectionOf(value);
            if (nested is not null)
            {
                text.Append(indent).Append(key.Name).AppendLine(":");
                WriteSection(text, value!, nested, depth + 1);
            }
            else
            {
                text.Append(indent).Append(key.Name).Append(": ").AppendLine(Scalar(value));
            }
            if (depth == 0) text.AppendLine();
        }
    }

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        Enum e => ConfigNames.Snake(e.ToString()),
        IReadOnlyDictionary<string, string> map => "{" + string.Join(", ", map.Select(p => $"{Quote(p.Key)}: {Quote(p.Value)}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Scalar)) + "]",
        _ => Quote(value.ToString() ?? ""),
    };

    /// <summary>Quotes a string when plain YAML would read it as something else.</summary>
    private static string Quote(string s)
    {
        var plain = s.Length > 0
            && s.Trim() == s
            && s.IndexOfAny(":#{}[],&*?|<>=!%@`'\"\\".ToCharArray()) < 0
            && !"-?:".Contains(s[0])
            && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && s.ToLowerInvariant() is not ("true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~");
        return plain ? s : "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
