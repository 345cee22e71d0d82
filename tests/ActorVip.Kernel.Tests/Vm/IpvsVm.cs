namespace ActorVip.Kernel.Tests.Vm;

/// <summary>
/// One VM boot for the whole IPVS VM test class: runs tests/vm/ipvs-tests.sh (every step and the benchmark) and
/// keeps what it wrote; each test then asserts on its part. The results folder is deleted afterwards unless
/// ACTORVIP_VM_KEEP is set or the run failed.
/// </summary>
public sealed class IpvsVm : IDisposable
{
    public IpvsVm()
    {
        KernelVm.Prepare();
        var results = KernelVm.NewResultsFolder("ipvs");
        var node = Path.GetDirectoryName(typeof(ActorVip.Node.Cli.IpvsCommand).Assembly.Location)!;
        var bench = KernelVm.BuildRelease("tests/ActorVip.Benchmarks/ActorVip.Benchmarks.csproj", Path.Combine(results, "bench-bin"));
        Run = KernelVm.Boot(results, Path.Combine(KernelVm.RepositoryRoot, "tests/vm/ipvs-tests.sh"),
            new Dictionary<string, string>
            {
                ["ACTORVIP"] = Path.Combine(node, "actorvip.dll"),
                ["BENCH"] = Path.Combine(bench, "ActorVip.Benchmarks.dll"),
            },
            TimeSpan.FromMinutes(25));
    }

    public KernelVm.Run Run { get; }

    public string Steps(string name) => Run.Read($"steps/{name}");

    public void Dispose()
    {
        if (Run.ExitCode == 0 && Environment.GetEnvironmentVariable("ACTORVIP_VM_KEEP") is null)
        {
            try { Directory.Delete(Run.Results, recursive: true); } catch (IOException) { }
        }
    }
}
