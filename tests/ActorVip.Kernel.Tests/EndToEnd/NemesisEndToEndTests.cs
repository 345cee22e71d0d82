using ActorVip.Lab.Nemesis;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// Issue 13 §3: a short seeded nemesis over three real `actorvip run` processes in namespaces (the demo's network and
/// client). It asserts what must hold on any machine: the run reached its faults, gave a verdict, and two MACs never
/// answered one who-has probe; and that nothing of the lab is left behind. Outage times are the verdict's own business
/// (printed here), not asserted: the machine may be shared and loaded.
/// </summary>
public sealed class NemesisEndToEndTests(ITestOutputHelper output)
{
    private static readonly NemesisOptions Options = new(Nodes: 3, Duration: TimeSpan.FromSeconds(60), Seed: 20261205, Settle: TimeSpan.FromSeconds(3));

    [Fact]
    public void A_seeded_minute_of_faults_over_three_real_nodes_never_has_two_owners()
    {
        string prefix;
        var pids = new List<int>();
        NemesisResult result;
        using (var lab = new NetworkLab("nem"))
        {
            prefix = lab.Prefix;
            var topology = VipTopology.Build(lab, Options.Nodes);
            var runner = new NemesisRunner(topology, Options, line => output.WriteLine($"-- {line}"), CancellationToken.None)
            {
                OnFault = o => output.WriteLine(NemesisReport.Line(o, Options.Nodes)),
            };
            result = runner.Run();
            pids.AddRange(result.Pids);
        }
        if (result.Verdict is { } v) foreach (var line in v.Lines()) output.WriteLine(line);

        Assert.DoesNotContain(prefix, HostCommand.Run("ip", "netns", "list").Stdout);
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}") && !IsZombie(pid), $"process {pid} outlived the lab"));

        Assert.True(result.Failure is null, $"the nemesis did not reach its faults: {result.Failure}\n{result.Logs}");
        var verdict = Assert.IsType<NemesisVerdict>(result.Verdict);
        Assert.True(result.Outcomes.Count >= 3, $"only {result.Outcomes.Count} faults were done in {Options.Duration.TotalSeconds:0} s");
        Assert.True(verdict.Dual.Count == 0,
            $"two nodes answered for the VIP at once:\n{string.Join('\n', verdict.Lines())}\n{result.Logs}");
        Assert.NotEmpty(verdict.Lines());
    }

    private static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }
}
