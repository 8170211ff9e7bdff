namespace Lathe.Config;

/// <summary>A config that cannot be used; carries every problem found, not just the first.</summary>
public sealed class ConfigException(string? file, IReadOnlyList<ConfigError> errors)
    : LatheException(Describe(file, errors))
{
    public string? File { get; } = file;
    public IReadOnlyList<ConfigError> Errors { get; } = errors;

    private static string Describe(string? file, IReadOnlyList<ConfigError> errors) =>
        errors.Count == 1
            ? $"invalid config: {errors[0].Format(file)}"
            : $"invalid config ({errors.Count} problems):\n" + string.Join("\n", errors.Select(e => "  " + e.Format(file)));
}
