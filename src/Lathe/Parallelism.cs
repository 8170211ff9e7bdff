using System.Runtime.ExceptionServices;

namespace Lathe;

/// <summary>Independent work (one column each) spread over the cores, failing as a plain loop would: with
/// the error of the lowest index, unwrapped, whichever finished first.</summary>
internal static class Parallelism
{
    public static void For(int count, Action<int> body)
    {
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
}
