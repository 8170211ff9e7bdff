namespace Lathe.Config;

/// <summary>One problem in a config: the key's path (<c>training.learning_rate</c>), its line when read
/// from a file, what is wrong and, when there is one, the fix.</summary>
public sealed record ConfigError(string Path, int? Line, string Message, string? Suggestion = null)
{
    public string Format(string? file)
    {
        var where = (file, Line) switch
        {
            (not null, not null) => $"{file}:{Line}: ",
            (not null, null) => $"{file}: ",
            (null, not null) => $"line {Line}: ",
            _ => "",
        };
        var key = Path.Length > 0 ? $"{Path}: " : "";
        var fix = Suggestion is null ? "" : $" — {Suggestion}";
        return $"{where}{key}{Message}{fix}";
    }
}
