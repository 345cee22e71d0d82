using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Node;

/// <summary>
/// The signals a daemon meets besides SIGTERM (issue 14 §5): before, SIGHUP (a closed terminal), SIGUSR1, SIGUSR2 and
/// SIGQUIT killed the node with their default action and left the VIP's address and the fence behind. Now SIGHUP
/// reloads the configuration (never applying an invalid one): a VIP added is held, a VIP removed is released, the VIP that did
/// not change stays, and any other setting changed is named as needing a restart; SIGUSR1/2 are ignored, SIGQUIT stops gracefully.
/// </summary>
public class SignalTests(ITestOutputHelper output)
{
    private const int SigHup = 1, SigQuit = 3, SigUsr1 = 10, SigUsr2 = 12;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public void Sighup_reloads_the_vips_usr1_and_usr2_are_ignored_and_sigquit_stops_gracefully()
    {
        using var lab = new NetworkLab("sig");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "actorvip.addresses = [\"192.0.2.100\"]\n");
        using var actorvip = ActorVipProcess.Start(node, "run", "--config", file, "--interface", "eth0", "--node-address", "192.0.2.11:4053", "--nodes", "1");
        try
        {
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.100") is not null, Generous), "the VIP never appeared");

            actorvip.Signal(SigHup);
            Assert.True(Ip.Eventually(() => actorvip.Output.Contains("reload: the configuration is unchanged"), Generous), "no answer to SIGHUP");
            File.WriteAllText(file, "actorvip.addresses = [\"192.0.2.300\"]\n");
            actorvip.Signal(SigHup);
            Assert.True(Ip.Eventually(() => actorvip.Output.Contains("reload: the configuration is not valid, the running one stays in force"), Generous),
                "no refusal of the invalid file");
            File.WriteAllText(file, "actorvip.addresses = [\"192.0.2.100\", \"192.0.2.101\"]\n");
            actorvip.Signal(SigHup);
            Assert.True(Ip.Eventually(() => actorvip.Output.Contains("reload: applied: 1 VIP added, 0 removed, 0 changed"), Generous), "no answer to a change");
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.101") is not null, Generous), "the added VIP never appeared");
            File.WriteAllText(file, "actorvip.addresses = [\"192.0.2.100\"]\nactorvip.lease.lease-time = 800ms\n");
            actorvip.Signal(SigHup);
            Assert.True(Ip.Eventually(() => actorvip.Output.Contains("reload: applied: 0 VIPs added, 1 removed, 0 changed; needs a restart, not applied: " +
                "lease.lease-time"), Generous), "no answer to a removal");
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.101") is null, Generous), "the removed VIP was not released");
            // The first load-balanced service of a node that started without any: the reload opens IPVS for it. This host's kernel has
            // none (the load-balancing VM shows the other side), so the whole list is refused by this host and nothing of it applied.
            if (!File.Exists("/proc/net/ip_vs"))
            {
                File.WriteAllText(file, "actorvip.addresses = [\"192.0.2.100\"]\nactorvip.vips = [ { address = \"192.0.2.102\", services = [ " +
                    "{ protocol = udp, port = 53, backends = [\"192.0.2.21\"] } ] } ]\nactorvip.lease.lease-time = 800ms\n");
                actorvip.Signal(SigHup);
                Assert.True(Ip.Eventually(() => actorvip.Output.Contains("not applied, refused by this host: vips (192.0.2.102 has load-balanced services, " +
                    "and this node started without any: the kernel has no IPVS"), Generous), "no refusal of services on a kernel without IPVS");
                Assert.Null(Ip.FindAddress(lab, node, "192.0.2.102"));
            }
            actorvip.Signal(SigUsr1);
            actorvip.Signal(SigUsr2);
            Assert.True(Ip.Eventually(() => actorvip.Output.Contains("SIGUSR2 ignored"), Generous), "SIGUSR2 not logged");
            Thread.Sleep(TimeSpan.FromSeconds(1));
            Assert.Null(actorvip.WaitForExit(TimeSpan.Zero));
            Assert.NotNull(Ip.FindAddress(lab, node, "192.0.2.100"));

            actorvip.Signal(SigQuit);
            var exit = actorvip.WaitForExit(TimeSpan.FromSeconds(10));
            Assert.True(exit == 0, $"exit code {exit?.ToString() ?? "none (still running)"} after SIGQUIT");
            Assert.Null(Ip.FindAddress(lab, node, "192.0.2.100"));
            Assert.Contains("every VIP released", actorvip.Output);
        }
        finally
        {
            output.WriteLine(actorvip.Output);
            File.Delete(file);
        }
    }
}
