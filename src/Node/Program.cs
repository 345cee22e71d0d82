using System.CommandLine;
using ActorVip.Messages.Configuration;
using ActorVip.Node.Cli;

namespace ActorVip.Node;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("ActorVip: virtual IPs and IPVS load balancing for bare-metal clusters, without the Kubernetes API");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(IpvsCommand.Create());
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(CleanupCommand.Create());
        root.Subcommands.Add(ManifestCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine($"actorvip: {result.Errors[0].Message} (see actorvip --help)");
            return ExitCodes.BadInput;
        }
        try
        {
            return result.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"actorvip: {e.Message}");
            return ExitCodes.BadInput;
        }
    }
}
