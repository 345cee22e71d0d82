using System.CommandLine;
using ActorVip.Node.Cli;
using ActorVip.Node.Configuration;

namespace ActorVip.Node;

public static class Program
{
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static int Main(string[] args)
    {
        // Socket completions run on the socket engine's own thread instead of being handed to a pool thread: one
        // thread wake-up less for every message a node receives (docs/BENCHMARKS.md, idle CPU). Read by .NET once,
        // when the first socket is made, so it must be set before that; an operator's own setting wins.
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");

        var root = new RootCommand("ActorVip: virtual IPs and IPVS load balancing for bare-metal clusters, without the Kubernetes API");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(IpvsCommand.Create());
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(CleanupCommand.Create());
        root.Subcommands.Add(ManifestCommand.Create());

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
