using System.Net;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// Issue 14 §2 with three real `actorvip run` processes. The VIP lives on a network of its own: every node has eth0 on
/// bridge br0 (the cluster, 192.0.2.0/24) and eth1 on bridge br1 (the VIP, 198.51.100.100), and the client sits on br1
/// only. So taking the owner's eth1 down cuts the VIP's path and nothing else: the node stays in the cluster and keeps
/// renewing, which is exactly the case where it used to keep the VIP it could not serve. Prints the client's longest
/// silence (no timed assertion); asserts single ownership and that the VIP answers again.
/// </summary>
public sealed class LinkTrackingEndToEndTests(ITestOutputHelper output)
{
    private static readonly IPAddress Vip = IPAddress.Parse("198.51.100.100");
    private static readonly IPAddress ProbeSender = IPAddress.Parse("198.51.100.51");
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Owner_vip_interface_set_down_hands_the_vip_over()
    {
        using var lab = new NetworkLab("lt");
        var (nodes, client) = Build(lab);
        using var observer = new ClientObserver(lab, client, Vip, ProbeSender);
        Start(lab, nodes);
        var owner = SteadyOwner(lab, observer, nodes);

        var faultAt = observer.Now;
        lab.Exec(owner, "ip", "link", "set", "eth1", "down").ThrowIfFailed("ip link set eth1 down");
        var after = Failover(lab, observer, nodes, owner, faultAt);
        output.WriteLine($"eth1 down on the owner: client's longest silence {after.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void Owner_vip_interface_deleted_and_re_created_can_hold_the_vip_again_on_its_new_index()
    {
        using var lab = new NetworkLab("lt");
        var (nodes, client) = Build(lab);
        using var observer = new ClientObserver(lab, client, Vip, ProbeSender);
        Start(lab, nodes);
        var owner = SteadyOwner(lab, observer, nodes);
        var oldIndex = Index(lab, owner);

        var faultAt = observer.Now;
        lab.Exec(owner, "ip", "link", "del", "eth1").ThrowIfFailed("ip link del eth1");
        var silence = Failover(lab, observer, nodes, owner, faultAt);
        output.WriteLine($"eth1 deleted on the owner: client's longest silence {silence.TotalMilliseconds:0} ms");

        AttachVipLink(lab, owner, nodes.IndexOf(owner) + 1);
        Assert.NotEqual(oldIndex, Index(lab, owner));
        Thread.Sleep(TimeSpan.FromSeconds(2));
        // Only the re-created node can serve now: the VIP must come to it, on the new eth1.
        var downAt = observer.Now;
        foreach (var other in nodes.Where(n => n != owner))
            lab.Exec(other, "ip", "link", "set", "eth1", "down").ThrowIfFailed("ip link set eth1 down");
        var mac = lab.Mac(owner, "eth1");
        while (observer.Now < downAt + Bound && !(observer.Answering(TimeSpan.FromMilliseconds(30)) &&
            observer.RecentOwners(TimeSpan.FromMilliseconds(50)).Contains(mac, StringComparer.OrdinalIgnoreCase)))
            Thread.Sleep(20);
        var seen = observer.Snapshot();
        output.WriteLine($"others' eth1 down: the re-created node answers after {(seen.FirstAnswerFrom(mac, downAt) - downAt)?.TotalMilliseconds:0} ms");
        Assert.True(observer.RecentOwners(TimeSpan.FromMilliseconds(100)).Contains(mac, StringComparer.OrdinalIgnoreCase),
            $"the re-created interface ({mac}) did not answer for the VIP within {Bound.TotalSeconds:0} s\n{Logs(lab)}");
        Assert.Empty(seen.DualOwnership());
    }

    /// <summary>Three nodes on br0 (cluster) and br1 (VIP), a client on br1 only.</summary>
    private static (List<string> Nodes, string Client) Build(NetworkLab lab)
    {
        lab.Exec(lab.Switch, "ip", "link", "add", "br1", "type", "bridge", "forward_delay", "0").ThrowIfFailed("ip link add br1");
        lab.Exec(lab.Switch, "ip", "link", "set", "br1", "up").ThrowIfFailed("ip link set br1 up");
        var nodes = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var ns = lab.AddHost($"n{i}", $"192.0.2.{10 + i}/24");
            AttachVipLink(lab, ns, i);
            nodes.Add(ns);
        }
        var client = lab.AddNamespace("client");
        lab.Exec(client, "ip", "link", "set", "lo", "up");
        Attach(lab, client, "eth0", "c", "198.51.100.50/24");
        return (nodes, client);
    }

    private static void AttachVipLink(NetworkLab lab, string ns, int i) => Attach(lab, ns, "eth1", i.ToString(), $"198.51.100.{10 + i}/24");

    /// <summary>A veth <paramref name="device"/> in <paramref name="ns"/> whose other end is a port of br1.</summary>
    private static void Attach(NetworkLab lab, string ns, string device, string tag, string address)
    {
        var port = ("w" + lab.Prefix[1..] + tag + Random.Shared.Next(10, 99))[..Math.Min(15, lab.Prefix.Length + tag.Length + 2)];
        lab.Exec(ns, "ip", "link", "add", device, "type", "veth", "peer", "name", port).ThrowIfFailed("ip link add veth");
        lab.Exec(ns, "ip", "link", "set", port, "netns", lab.Switch).ThrowIfFailed("ip link set netns");
        lab.Exec(lab.Switch, "ip", "link", "set", port, "master", "br1").ThrowIfFailed("ip link set master br1");
        lab.Exec(lab.Switch, "ip", "link", "set", port, "up").ThrowIfFailed("ip link set port up");
        lab.Exec(ns, "ip", "addr", "add", address, "dev", device).ThrowIfFailed("ip addr add");
        lab.Exec(ns, "ip", "link", "set", device, "up").ThrowIfFailed("ip link set up");
    }

    private static int Index(NetworkLab lab, string ns) =>
        int.Parse(lab.Exec(ns, "cat", "/sys/class/net/eth1/ifindex").ThrowIfFailed("reading eth1's index").Stdout.Trim());

    private static void Start(NetworkLab lab, List<string> nodes)
    {
        for (var i = 1; i <= nodes.Count; i++)
        {
            var args = new List<string>(NodeLauncher.Command())
            {
                "run", "--interface", "eth1", "--address", Vip.ToString(), "--node-address", $"192.0.2.{10 + i}:4053", "--nodes", "3",
            };
            for (var s = 1; s <= nodes.Count; s++) args.AddRange(["--seed", $"192.0.2.{10 + s}:4053"]);
            lab.StartLogged(nodes[i - 1], $"n{i}-actorvip.log", args.ToArray());
        }
    }

    /// <summary>The node whose eth1 alone answered who-has for a second while every ping was answered.</summary>
    private string SteadyOwner(NetworkLab lab, ClientObserver observer, List<string> nodes)
    {
        var deadline = observer.Now + TimeSpan.FromSeconds(120);
        while (observer.Now < deadline)
        {
            Thread.Sleep(100);
            var now = observer.Now;
            var seen = observer.Snapshot();
            var owners = seen.OwnersBetween(now - TimeSpan.FromSeconds(1), now);
            if (now > TimeSpan.FromSeconds(3) && owners.Count == 1 && seen.LongestSilence(now - TimeSpan.FromSeconds(1), now) < TimeSpan.FromMilliseconds(100))
            {
                var owner = nodes.Single(n => string.Equals(lab.Mac(n, "eth1"), owners[0], StringComparison.OrdinalIgnoreCase));
                output.WriteLine($"owner {owner}");
                return owner;
            }
        }
        throw new Xunit.Sdk.XunitException($"the VIP had no steady owner within 120 s\n{Logs(lab)}");
    }

    /// <summary>Waits until another node answers and the pings are answered again; returns the client's longest silence.</summary>
    private TimeSpan Failover(NetworkLab lab, ClientObserver observer, List<string> nodes, string owner, TimeSpan faultAt)
    {
        var otherMacs = nodes.Where(n => n != owner).Select(n => lab.Mac(n, "eth1").ToLowerInvariant()).ToList();
        while (observer.Now < faultAt + Bound && !(observer.Answering(TimeSpan.FromMilliseconds(30)) &&
            observer.RecentOwners(TimeSpan.FromMilliseconds(50)).Any(m => otherMacs.Contains(m.ToLowerInvariant()))))
            Thread.Sleep(20);
        Thread.Sleep(1000);
        var seen = observer.Snapshot();
        var silence = seen.LongestSilence(faultAt, seen.End);
        Assert.True(observer.Answering(TimeSpan.FromMilliseconds(100)), $"the VIP did not answer again within {Bound.TotalSeconds:0} s\n{Logs(lab)}");
        Assert.True(seen.DualOwnership().Count == 0, $"two nodes answered for the VIP at once\n{Logs(lab)}");
        return silence;
    }

    private static string Logs(NetworkLab lab) =>
        string.Join("\n", Directory.GetFiles(lab.TempDirectory, "*.log").Select(f => $"--- {Path.GetFileName(f)}\n" +
            string.Join("\n", File.ReadLines(f).TakeLast(30))));
}
