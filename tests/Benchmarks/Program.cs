using System.CommandLine;
using ActorVip.Node.Demo;

namespace ActorVip.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("ActorVip benchmarks (root; namespaces on this machine)");
        root.Subcommands.Add(FailoverBenchmark.Create());
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine($"actorvip-bench: {result.Errors[0].Message} (see --help)");
            return 2;
        }
        if (!HostCommand.IsRoot)
        {
            Console.Error.WriteLine("actorvip-bench: it creates network namespaces, which needs root; run it with sudo");
            return 1;
        }
        return result.Invoke();
    }
}
