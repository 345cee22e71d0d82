using System.Reflection;

namespace ActorVip.Lab.Demo;

/// <summary>
/// How to start this very build of actorvip as a separate process. The lab references the node's project, so the
/// build puts actorvip.dll, its runtimeconfig and its apphost beside the lab's own files: the apphost if it is
/// there, else `dotnet actorvip.dll`.
/// </summary>
public static class NodeLauncher
{
    public static IReadOnlyList<string> Command()
    {
        var dll = typeof(ActorVip.Node.Program).Assembly.Location;
        var folder = Path.GetDirectoryName(dll)!;
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == "actorvip") return [self];
        var apphost = Path.Combine(folder, "actorvip");
        if (File.Exists(apphost) && File.Exists(Path.Combine(folder, "actorvip.runtimeconfig.json"))) return [apphost];
        if (!File.Exists(Path.Combine(folder, "actorvip.runtimeconfig.json")))
            throw new InvalidOperationException($"Cannot start actorvip: no actorvip.runtimeconfig.json next to {dll}; build src/Lab (dotnet " +
                "build src/Lab -c Release).");
        return [Dotnet(), dll];
    }

    private static string Dotnet()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (root is { Length: > 0 } && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }

    internal static string Version =>
        typeof(ActorVip.Node.Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
}
