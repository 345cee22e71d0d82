namespace ActorVip.Kernel.Tests.Vm;

/// <summary>
/// One VM boot for the whole load-balancing VM test class: runs tests/vm/lb-tests.sh (every forwarding mode with a
/// real `actorvip run`, and the reconcile benchmark) and keeps what it wrote; each test asserts on its part.
/// </summary>
public sealed class LoadBalancingVm : IDisposable
{
    public LoadBalancingVm()
    {
        KernelVm.Prepare();
        var results = KernelVm.NewResultsFolder("lb");
        var node = KernelVm.BuildRelease("src/Node/ActorVip.Node.csproj", Path.Combine(results, "node-bin"));
        var bench = KernelVm.BuildRelease("tests/ActorVip.Benchmarks/ActorVip.Benchmarks.csproj", Path.Combine(results, "bench-bin"));
        Run = KernelVm.Boot(results, Path.Combine(KernelVm.RepositoryRoot, "tests/vm/lb-tests.sh"),
            new Dictionary<string, string>
            {
                ["ACTORVIP"] = Path.Combine(node, "actorvip.dll"),
                ["BENCH"] = Path.Combine(bench, "ActorVip.Benchmarks.dll"),
            },
            TimeSpan.FromMinutes(45));
    }

    public KernelVm.Run Run { get; }

    public string Lb(string name) => Run.Read($"lb/{name}");

    public bool Has(string name) => Run.Has($"lb/{name}");

    public void Dispose()
    {
        if (Run.ExitCode == 0 && Environment.GetEnvironmentVariable("ACTORVIP_VM_KEEP") is null)
        {
            try { Directory.Delete(Run.Results, recursive: true); } catch (IOException) { }
        }
    }
}
