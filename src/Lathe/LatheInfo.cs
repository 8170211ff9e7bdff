using System.Reflection;

namespace Lathe;

/// <summary>Facts about this build of Lathe.</summary>
public static class LatheInfo
{
    public static string Version { get; } =
        typeof(LatheInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
