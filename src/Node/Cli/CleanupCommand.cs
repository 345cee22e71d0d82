using System.CommandLine;
using ActorVip.Node.Cleanup;

namespace ActorVip.Node.Cli;

/// <summary>`actorvip cleanup`: removes what a killed node left in the kernel; exit 0 also when nothing was left.</summary>
public static class CleanupCommand
{
    public static Command Create()
    {
        var options = new NodeOptions();
        var command = new Command("cleanup", "Remove this node's VIPs, IPVS services, NAT table and fence left by a stopped or killed " +
            "run (systemd ExecStopPost)");
        options.AddTo(command);
        command.SetAction(result =>
        {
            var (settings, _) = options.Load(result);
            var (removed, errors) = NodeCleanup.Run(NodeCleanup.StepsFor(settings));
            foreach (var line in removed) Console.WriteLine($"actorvip: {line}");
            foreach (var error in errors) Console.Error.WriteLine($"actorvip: cleanup: {error}");
            if (removed.Count == 0 && errors.Count == 0) Console.WriteLine("actorvip: nothing to clean up");
            return errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
