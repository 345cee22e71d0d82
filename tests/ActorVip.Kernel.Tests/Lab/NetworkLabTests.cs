namespace ActorVip.Kernel.Tests.Lab;

public class NetworkLabTests
{
    [Fact]
    public void Hosts_on_the_bridge_reach_each_other_and_everything_is_gone_after_dispose()
    {
        string prefix;
        int pid;
        using (var lab = new NetworkLab("lab"))
        {
            prefix = lab.Prefix;
            var a = lab.AddHost("a", "192.0.2.1/24");
            lab.AddHost("b", "192.0.2.2/24");
            var ping = lab.Exec(a, "ping", "-c", "1", "-W", "2", "192.0.2.2");
            Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
            pid = lab.Start(a, "sleep", "600").Pid;
            Assert.True(Directory.Exists($"/proc/{pid}"));
        }
        var left = Shell.Run("ip", "netns", "list").Stdout;
        Assert.DoesNotContain(prefix, left);
        Assert.False(Directory.Exists($"/proc/{pid}"), "a process started in the lab outlived it");
    }

    [Fact]
    public void A_bridge_partition_cuts_one_host_from_the_others_while_the_client_reaches_everyone_and_heals()
    {
        using var lab = new NetworkLab("prt");
        var a = lab.AddHost("a", "192.0.2.1/24");
        var b = lab.AddHost("b", "192.0.2.2/24");
        var c = lab.AddHost("c", "192.0.2.3/24");
        var client = lab.AddHost("client", "192.0.2.50/24");
        bool Reaches(string from, string to) => lab.Exec(from, "ping", "-c", "1", "-W", "1", to).ExitCode == 0;

        BridgePartition.Isolate(lab.Switch, lab.BridgePort(a), [lab.BridgePort(b), lab.BridgePort(c)]);
        Assert.False(Reaches(a, "192.0.2.2"));
        Assert.False(Reaches(c, "192.0.2.1"));
        Assert.True(Reaches(b, "192.0.2.3"));
        Assert.True(Reaches(client, "192.0.2.1"));
        Assert.True(Reaches(client, "192.0.2.2"));

        BridgePartition.Heal(lab.Switch);
        // a's neighbour entry for b failed during the partition; the next ping may have to resolve it afresh.
        Assert.True(Ip.Eventually(() => Reaches(a, "192.0.2.2"), TimeSpan.FromSeconds(10)), "a does not reach b after the heal");
    }

    [Fact]
    public void The_client_observer_sees_echo_replies_and_the_one_mac_that_answers_who_has()
    {
        using var lab = new NetworkLab("obs");
        var node = lab.AddHost("n", "192.0.2.11/24", $"{VipTopology.Vip}/32");
        var client = lab.AddHost("client", $"{VipTopology.ClientAddress}/24");
        using var observer = new ClientObserver(lab, client, VipTopology.Vip, VipTopology.ProbeSender);
        Assert.True(Ip.Eventually(() => observer.Snapshot().Replies.Count >= 20 && observer.Snapshot().Answers.Count >= 10, TimeSpan.FromSeconds(10)),
            "no echo replies or ARP answers from the VIP");
        var seen = observer.Snapshot();
        Assert.Equal([lab.Mac(node)], seen.OwnersBetween(TimeSpan.Zero, seen.End));
        Assert.Empty(seen.DualOwnership());

        // A second holder of the same address: the probe must see two MACs in one window.
        var rival = lab.AddHost("r", "192.0.2.12/24", $"{VipTopology.Vip}/32");
        var since = observer.Now;
        Assert.True(Ip.Eventually(() => observer.Snapshot().DualOwnership().Any(w => w.From >= since), TimeSpan.FromSeconds(10)),
            "two hosts hold the VIP but no probe window shows two MACs");
        Assert.Contains(lab.Mac(rival), observer.Snapshot().OwnersBetween(since, observer.Now));
    }
}
