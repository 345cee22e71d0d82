using System.CommandLine;
using ActorVip.Lab.Cli;
using ActorVip.Node.Cli;
using ActorVip.Node.Configuration;

namespace ActorVip.Lab;

/// <summary>
/// `actorvip-lab`: try ActorVip before production. `demo` runs real `actorvip` processes in network namespaces on
/// this machine and measures failover as a client sees it; `simulate` runs N nodes in one process against your own
/// timings and checks that no two ever held a VIP; `nemesis` runs real nodes through a seeded schedule of faults.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("ActorVip lab: the failover demo in network namespaces and the in-process simulation");
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(NemesisCommand.Create());

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine($"actorvip-lab: {Node.Program.OneLine(Node.Program.FirstError(result))} (see actorvip-lab --help)");
            return ExitCodes.BadInput;
        }
        try
        {
            return result.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"actorvip-lab: {Node.Program.OneLine(e.Message)}");
            return ExitCodes.BadInput;
        }
    }
}
