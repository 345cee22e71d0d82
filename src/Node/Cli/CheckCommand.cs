using System.CommandLine;
using ActorVip.Node.Configuration;
using ActorVip.Node.Hosting;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Node.Cli;

/// <summary>`actorvip check`: one line per requirement; exit 0 only when nothing is missing.</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var options = new NodeOptions();
        var backendSetup = new Option<bool>("--backend-setup")
        {
            Description = "Print the commands each backend needs for --fwdmethod (directroute, tunnel) and exit"
        };
        var command = new Command("check", "Report what this host lacks for the given configuration (capabilities, interface, kernel features)");
        options.AddTo(command);
        command.Options.Add(backendSetup);
        command.SetAction(result =>
        {
            var (settings, _) = options.Load(result);
            foreach (var warning in ConfigSources.UnknownVariableWarnings(Environment.GetEnvironmentVariables())) Console.Error.WriteLine(warning);
            if (result.GetValue(backendSetup))
            {
                foreach (var line in BackendSetup.Commands(settings)) Console.WriteLine(line);
                return ExitCodes.Ok;
            }
            var findings = HostCheck.Run(settings);
            foreach (var finding in findings) Console.WriteLine(finding);
            return findings.All(f => f.Ok) ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
