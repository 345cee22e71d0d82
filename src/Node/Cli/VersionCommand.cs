using System.CommandLine;
using System.Reflection;

namespace ActorVip.Node.Cli;

public static class VersionCommand
{
    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static Command Create()
    {
        var command = new Command("version", "Print the ActorVip version");
        command.SetAction(_ =>
        {
            Console.WriteLine($"actorvip {Version} (.NET {Environment.Version}, Akka.NET {typeof(Akka.Actor.ActorSystem).Assembly.GetName().Version})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
