using System.Diagnostics;

namespace Lathe.Tests.Cli;

/// <summary>Runs the real <c>lathe</c> command (the built lathe.dll) and captures what a user would see.</summary>
public static class LatheProcess
{
    public sealed record Outcome(int ExitCode, string Out, string Error);

    public static string Dll { get; } = FindDll();

    public static Outcome Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"lathe {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new Outcome(process.ExitCode, output.Result, error.Result);
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
