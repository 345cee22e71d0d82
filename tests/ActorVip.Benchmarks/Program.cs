using ActorVip.Benchmarks;

// Benchmarks that print numbers; each is named by its first argument.
return args.FirstOrDefault() switch
{
    "ipvs-apply" => IpvsApplyBenchmark.Run(args[1..]),
    "lb-reconcile" => ReconcileLatencyBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ActorVip.Benchmarks ipvs-apply [--services N] [--destinations N] [--rules FILE] | lb-reconcile [BACKENDS...]");
    return 2;
}
