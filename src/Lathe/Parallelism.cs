using System.Runtime.ExceptionServices;

namespace Lathe;

/// <summary>Independent work (one column each) spread over the cores, failing as a plain loop would: with
/// the error of the lowest index, unwrapped, whichever finished first.</summary>
public static class Parallelism
{
    [ThreadStatic]
    private static bool _inline;

    /// <summary>Until the scope is disposed, Lathe's work on this thread stays on it: for a server answering many small
    /// requests at once, where fanning a one-row table out to the thread pool costs more than it saves.</summary>
    public static IDisposable Inline()
    {
        var was = _inline;
        _inline = true;
        return new Scope(was);
    }

    public static void For(int count, Action<int> body)
    {
        if (_inline || count <= 1)
        {
            for (var i = 0; i < count; i++) body(i);
            return;
        }
        var errors = new Exception?[count];
        Parallel.For(0, count, i =>
        {
            try
            {
                body(i);
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        });
        if (errors.FirstOrDefault(e => e is not null) is { } first) ExceptionDispatchInfo.Capture(first).Throw();
    }

    private sealed class Scope(bool was) : IDisposable
    {
        public void Dispose() => _inline = was;
    }
}
