using System.CommandLine;
using ActorVip.Node.Hosting;

namespace ActorVip.Node.Cli;

/// <summary>`actorvip check`: one line per requirement; exit 0 only when nothing is missing.</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var options = new NodeOptions();
        var command = new Command("check", "Report what this host lacks for the given configuration (capabilities, interface, kernel features)");
        options.AddTo(command);
        command.SetAction(result =>
        {
            var (settings, _) = options.Load(result);
            var findings = HostCheck.Run(settings);
            foreach (var finding in findings) Console.WriteLine(finding);
            return findings.All(f => f.Ok) ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
