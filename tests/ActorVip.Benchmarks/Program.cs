using System.CommandLine;
using ActorVip.Benchmarks;
using ActorVip.Lab.Demo;

// Benchmarks that print numbers; each is named by its first argument.
return args.FirstOrDefault() switch
{
    "ipvs-apply" => IpvsApplyBenchmark.Run(args[1..]),
    "lb-reconcile" => ReconcileLatencyBenchmark.Run(args[1..]),
    "failover" => Failover(args),
    "lease-clock" => LeaseClockBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Failover(string[] args)
{
    var root = new RootCommand("ActorVip failover benchmark (root; namespaces on this machine)");
    root.Subcommands.Add(FailoverBenchmark.Create());
    var result = root.Parse(args);
    if (result.Errors.Count > 0)
    {
        Console.Error.WriteLine($"ActorVip.Benchmarks: {result.Errors[0].Message} (see failover --help)");
        return 2;
    }
    if (!HostCommand.IsRoot)
    {
        Console.Error.WriteLine("ActorVip.Benchmarks: the failover benchmark creates network namespaces, which needs root");
        return 1;
    }
    return result.Invoke();
}

static int Usage()
{
    Console.Error.WriteLine("usage: ActorVip.Benchmarks ipvs-apply [--services N] [--destinations N] [--rules FILE] | lb-reconcile [BACKENDS...] | " +
        "failover [--trials N] ... | lease-clock [READINGS]");
    return 2;
}
