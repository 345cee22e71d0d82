using System.CommandLine;
using ActorVip.Benchmarks;
using ActorVip.Lab.Demo;

// Benchmarks that print numbers; each is named by its first argument.
return args.FirstOrDefault() switch
{
    "ipvs-apply" => IpvsApplyBenchmark.Run(args[1..]),
    "lb-reconcile" => ReconcileLatencyBenchmark.Run(args[1..]),
    "failover" => InNamespaces(FailoverBenchmark.Create(), args),
    "many-vips" => InNamespaces(ManyVipsBenchmark.Create(), args),
    "lease-clock" => LeaseClockBenchmark.Run(args[1..]),
    _ => Usage(),
};

// The benchmarks that build network namespaces and run real nodes in them.
static int InNamespaces(Command command, string[] args)
{
    var root = new RootCommand($"ActorVip {command.Name} benchmark (root; namespaces on this machine)");
    root.Subcommands.Add(command);
    var result = root.Parse(args);
    if (result.Errors.Count > 0)
    {
        Console.Error.WriteLine($"ActorVip.Benchmarks: {result.Errors[0].Message} (see {command.Name} --help)");
        return 2;
    }
    if (!HostCommand.IsRoot)
    {
        Console.Error.WriteLine($"ActorVip.Benchmarks: the {command.Name} benchmark creates network namespaces, which needs root");
        return 1;
    }
    return result.Invoke();
}

static int Usage()
{
    Console.Error.WriteLine("usage: ActorVip.Benchmarks ipvs-apply [--services N] [--destinations N] [--rules FILE] | lb-reconcile [BACKENDS...] | " +
        "failover [--trials N] ... | many-vips [--nodes N] [--vips N] ... | lease-clock [READINGS]");
    return 2;
}
