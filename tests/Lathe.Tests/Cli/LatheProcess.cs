using System.Diagnostics;

namespace Lathe.Tests.Cli;

/// <summary>Runs the real <c>lathe</c> command (the built lathe.dll) and captures what a user would see.</summary>
public static class LatheProcess
{
    public sealed record Outcome(int ExitCode, string Out, string Error);

    public static string Dll { get; } = FindDll();

    public static Outcome Run(string workingDirectory, params string[] args)
    {
        using var running = Start(workingDirectory, args);
        return running.Finish();
    }

    /// <summary>Runs <c>lathe</c> with these environment variables set (a null value removes one).</summary>
    public static Outcome RunWith(IReadOnlyDictionary<string, string?> environment, string workingDirectory, params string[] args)
    {
        using var running = Start(workingDirectory, environment, args);
        return running.Finish();
    }

    /// <summary>Starts <c>lathe</c> and returns at once; <see cref="Running.Finish"/> waits for it.</summary>
    public static Running Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);

    private static Running Start(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) start.Environment[name] = value;
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        return new Running(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync(), string.Join(' ', args));
    }

    /// <summary>A <c>lathe</c> process under way, its output being read.</summary>
    public sealed class Running(Process process, Task<string> output, Task<string> error, string command) : IDisposable
    {
        public Process Process { get; } = process;

        public Outcome Finish()
        {
            if (!Process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                Process.Kill(entireProcessTree: true);
                throw new TimeoutException($"lathe {command} did not finish in 5 minutes");
            }
            return new Outcome(Process.ExitCode, output.Result, error.Result);
        }

        public void Dispose() => Process.Dispose();
    }

    private static string FindDll()
    {
        // tests/Lathe.Tests/bin/<Configuration>/<tfm>/ → src/Lathe.Cli/bin/<Configuration>/<tfm>/lathe.dll
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var dll = Path.Combine(TestData.RepoRoot, "src", "Lathe.Cli", "bin", configuration, framework.Name, "lathe.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"the lathe command is not built at {dll}");
    }
}
