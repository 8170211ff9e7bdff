namespace Lathe;

/// <summary>A user error: something in the user's config, data, bundle or request that they can fix.
/// The message says what is wrong, where, and what would fix it; the CLI prints it and exits 1.</summary>
public class LatheException : Exception
{
    public LatheException(string message) : base(message) { }
    public LatheException(string message, Exception inner) : base(message, inner) { }
}
