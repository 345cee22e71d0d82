using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Hosting;
using ActorVip.Node.Ipvs;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>
/// A reload that changes the VIP list, at the agent (issue 14 §5, <see cref="Reconfigure"/>): the new declaration goes to the allocator
/// before the release of a removed VIP (so that it is not placed here again), the fence guards the new VIP while the held ones stay
/// let through, the removed VIP is released the normal way, and the unchanged VIP is not touched.
/// </summary>
public sealed class ReconfigureTests : VirtualTimeTestKit
{
    private const string Kept = "192.0.2.100", Removed = "192.0.2.101", Added = "192.0.2.102";
    private static readonly LeaseSettings Lease = new(1);

    private static NodeSettings Settings(params string[] vips) => SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
        new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", vips)));

    [Fact]
    public void A_removed_vip_is_declared_away_then_released_the_added_one_is_guarded_and_the_unchanged_one_is_not_touched()
    {
        var settings = Settings(Kept, Removed);
        var self = new NodeId(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString());
        var kernel = new KernelRecorder();
        var allocator = CreateTestProbe();
        var voter = Sys.ActorOf(VoterActor.Props(Lease, self, Clock), VoterActor.Name);
        var drivers = new DriverSet(new NoLinks(), kernel, kernel, kernel);
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link], drivers, Lease, [self], self, Clock, allocator.Ref,
            declared: NodeRuntime.VipSpecs(settings)), NodeAgent.Name);
        Started(voter, agent);
        Assert.Equal([Kept, Removed], allocator.FishForMessage<VipDeclaration>(_ => true).Vips.Select(v => v.Vip));
        agent.Tell(new Placements([], [new Assign(Kept, 1), new Assign(Removed, 1)]));
        AdvanceUntil(() => kernel.HasAddress(Kept + "/32") && kernel.HasAddress(Removed + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        kernel.Calls.Clear();

        var next = Settings(Kept, Added);
        agent.Tell(new Reconfigure(next, NodeRuntime.VipSpecs(next), [Removed]));

        var first = allocator.FishForMessage(m => m is VipDeclaration or Released or ReleasedBatch);
        Assert.Equal([Kept, Added], Assert.IsType<VipDeclaration>(first).Vips.Select(v => v.Vip));
        allocator.FishForMessage(m => m is Released { Vip: Removed } || m is ReleasedBatch b && b.Items.Any(r => r.Vip == Removed));
        AdvanceUntil(() => !kernel.HasAddress(Removed + "/32"), Lease.RenewInterval * 2);
        Assert.True(kernel.HasAddress(Kept + "/32"));
        var calls = kernel.Calls.ToList();
        // Re-guarded with the removed VIP still in (nobody owns it), and the held VIPs let through at once (the kernel's in one transaction).
        var install = calls.FindIndex(c => c == $"install {Kept},{Removed},{Added}");
        Assert.True(install >= 0, string.Join(" | ", calls));
        Assert.StartsWith("own ", calls[install + 1]);
        Assert.Contains(Kept, calls[install + 1]);
        Assert.DoesNotContain(calls, c => c.StartsWith("remove", StringComparison.Ordinal) && c.Contains(Kept, StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.StartsWith("disown", StringComparison.Ordinal) && c.Contains(Kept, StringComparison.Ordinal));

        // The added VIP is held when placed here.
        agent.Tell(new Assign(Added, 2));
        AdvanceUntil(() => kernel.HasAddress(Added + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
    }

    /// <summary>
    /// A VIP added by a reload on an interface no VIP was on (issue 14 §5 with §6): the agent watches that link from then on, before the
    /// allocator hears of the VIP; the fence guards the new interface's egress as it re-guards; the VIP, once placed here, is added on
    /// the new interface; and a link loss there hands over that VIP alone. Before, such a reload was refused (needs a restart).
    /// </summary>
    [Fact]
    public void A_vip_on_a_new_interface_has_its_link_watched_and_its_egress_fenced_and_is_held_there()
    {
        var watcher = new HandLinkWatcher(KernelRecorder.Link, Eth1);
        var (agent, kernel, allocator) = OnEth0(watcher);
        agent.Tell(new Placements([], [new Assign(Kept, 1)]));
        AdvanceUntil(() => kernel.HasAddress(Kept + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.Equal(["eth0"], watcher.Watched);
        kernel.Calls.Clear();

        var next = ReloadedWith(Added, "eth1");
        agent.Tell(new Reconfigure(next, NodeRuntime.VipSpecs(next), []) { Links = [Eth1] });

        allocator.FishForMessage<VipDeclaration>(d => d.Vips.Any(v => v.Vip == Added));
        Assert.Equal(["eth0", "eth1"], watcher.Watched);
        var calls = kernel.Calls.ToList();
        var egress = calls.IndexOf("reshape all egress eth0,eth1");
        Assert.True(egress >= 0 && calls.IndexOf($"install {Kept},{Added}") > egress, string.Join(" | ", calls));

        agent.Tell(new Assign(Added, 2));
        AdvanceUntil(() => kernel.HasAddress(Added + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.Contains($"add {Added}/32 eth1", kernel.OnInterface);

        // eth1 loses its carrier: the VIP on it is handed over, the one on eth0 stays.
        watcher.Report(new LinkStatus("eth1", Eth1 with { LowerUp = false }));
        AdvanceUntil(() => !kernel.HasAddress(Added + "/32"), Lease.RenewInterval * 4);
        Assert.True(kernel.HasAddress(Kept + "/32"));
    }

    /// <summary>
    /// The new interface gone between the reload's look and the agent (the race the reload cannot close): its VIP is said to be
    /// ineligible here, by name, the others stay eligible; once the watcher sees the interface come, the node says it can hold it.
    /// </summary>
    [Fact]
    public void A_new_interface_missing_when_the_agent_applies_the_reload_makes_its_vip_ineligible_until_it_appears()
    {
        var watcher = new HandLinkWatcher(KernelRecorder.Link);
        var (agent, kernel, allocator) = OnEth0(watcher);

        var next = ReloadedWith(Added, "eth1");
        agent.Tell(new Reconfigure(next, NodeRuntime.VipSpecs(next), []));

        var ineligible = allocator.FishForMessage<Eligibility>(e => !e.Eligible);
        Assert.Equal([Added], ineligible.Vips);
        Assert.Contains("eth1", ineligible.Reason);
        watcher.Report(new LinkStatus("eth1", Eth1));
        allocator.FishForMessage<Eligibility>(e => e.Eligible);
        agent.Tell(new Assign(Added, 2));
        AdvanceUntil(() => kernel.HasAddress(Added + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.Contains($"add {Added}/32 eth1", kernel.OnInterface);
    }

    private static readonly InterfaceInfo Eth1 = new("eth1", 3, System.Net.NetworkInformation.PhysicalAddress.Parse("02-00-00-00-00-02"), 1500, true, true);

    /// <summary>An agent started with <see cref="Kept"/> on eth0 and links watched by <paramref name="watcher"/>, and its voter.</summary>
    private (IActorRef Agent, KernelRecorder Kernel, Akka.TestKit.TestProbe Allocator) OnEth0(HandLinkWatcher watcher)
    {
        var settings = Settings(Kept);
        var self = new NodeId(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString());
        var kernel = new KernelRecorder();
        var allocator = CreateTestProbe();
        var voter = Sys.ActorOf(VoterActor.Props(Lease, self, Clock), VoterActor.Name);
        var drivers = new DriverSet(new NoLinks(), kernel, kernel, kernel, LinkWatcher: watcher);
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link], drivers, Lease, [self], self, Clock, allocator.Ref,
            declared: NodeRuntime.VipSpecs(settings)), NodeAgent.Name);
        Started(voter, agent);
        return (agent, kernel, allocator);
    }

    /// <summary>The running VIP <see cref="Kept"/> on eth0, and <paramref name="vip"/> added with its own <paramref name="device"/>.</summary>
    private static NodeSettings ReloadedWith(string vip, string device) => ReloadedWith($"{{ address = \"{vip}\", interface = {device} }}");

    /// <summary>The running VIP <see cref="Kept"/> on eth0, and the VIP of this <c>vips</c> object.</summary>
    private static NodeSettings ReloadedWith(string vipObject)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, $"actorvip.vips = [ {vipObject} ]");
            return SettingsReader.Read(ConfigSources.Compose(file, new System.Collections.Hashtable(), new HoconOverrides()
                .Set("actorvip.interface", "eth0").SetList("actorvip.addresses", [Kept])));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// A VIP added by a reload with services of its own, on a node that balances: once placed here, its holder programs its IPVS
    /// services from the reloaded settings (the running node's drivers), and the unchanged VIP's service stays.
    /// </summary>
    [Fact]
    public void A_vip_added_with_services_gets_them_in_ipvs_when_held()
    {
        static NodeSettings Balancing(string? added)
        {
            var file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, "actorvip.vips = [" + (added is null ? "" :
                    $"{{ address = \"{added}\", services = [ {{ protocol = udp, port = 53, backends = [\"198.51.100.2:53\"] }} ] }}") + "]");
                return SettingsReader.Read(ConfigSources.Compose(file, new System.Collections.Hashtable(), new HoconOverrides()
                    .Set("actorvip.interface", "eth0").SetList("actorvip.addresses", [Kept]).Set("actorvip.lb.enabled", "on")
                    .Set("actorvip.lb.fwdmethod", "masquerade").SetList("actorvip.lb.backends", ["198.51.100.1:6443"])));
            }
            finally
            {
                File.Delete(file);
            }
        }

        var settings = Balancing(null);
        var self = new NodeId(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString());
        var kernel = new KernelRecorder();
        var ipvs = new ActorVip.Tests.LoadBalancing.IpvsRecorder();
        var allocator = CreateTestProbe();
        var voter = Sys.ActorOf(VoterActor.Props(Lease, self, Clock), VoterActor.Name);
        var drivers = new DriverSet(new NoLinks(), kernel, kernel, kernel, new LoadBalancerDrivers(ipvs, ipvs, ipvs, FollowMembers: false));
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link], drivers, Lease, [self], self, Clock, allocator.Ref,
            declared: NodeRuntime.VipSpecs(settings)), NodeAgent.Name);
        Started(voter, agent);
        agent.Tell(new Placements([], [new Assign(Kept, 1)]));
        var kept = IpvsServiceKey.Tcp(System.Net.IPAddress.Parse(Kept), 6443);
        AdvanceUntilPoolDone(() => ipvs.Table.Find(kept) is not null, Lease.PromiseTime + Lease.RenewInterval * 2);

        var next = Balancing(Added);
        agent.Tell(new Reconfigure(next, NodeRuntime.VipSpecs(next), []));
        agent.Tell(new Assign(Added, 2));

        var udp = IpvsServiceKey.Of(IpvsProtocol.Udp, System.Net.IPAddress.Parse(Added), 53);
        AdvanceUntilPoolDone(() => ipvs.Table.Find(udp)?.Destinations.Count == 1, Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.NotNull(ipvs.Table.Find(kept));
        Assert.Null(ipvs.Table.Find(IpvsServiceKey.Tcp(System.Net.IPAddress.Parse(Added), 6443)));
    }

    /// <summary>
    /// A node that started without load-balanced services, reloaded with a VIP whose service forwards by directroute (issue 14 §5): the
    /// agent takes the IPVS the reload opened (<see cref="Reconfigure.LoadBalancer"/>) and the VIP's holder programs the service with it;
    /// the fence is reshaped with no inbound rule (a directroute director's peers get the VIP's packets unowned) in the re-install that
    /// keeps the held VIP let through; and a reload that removes it brings the inbound rule back. Before, both needed a restart.
    /// </summary>
    [Fact]
    public void The_first_services_a_reload_brings_are_programmed_with_the_ipvs_it_opened_and_directroute_reshapes_the_fence()
    {
        var (agent, kernel, _) = OnEth0(new HandLinkWatcher(KernelRecorder.Link));
        agent.Tell(new Placements([], [new Assign(Kept, 1)]));
        AdvanceUntil(() => kernel.HasAddress(Kept + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        kernel.Calls.Clear();
        var ipvs = new ActorVip.Tests.LoadBalancing.IpvsRecorder();

        var next = ReloadedWith($"{{ address = \"{Added}\", services = [ {{ protocol = udp, port = 53, fwdmethod = directroute, " +
            "backends = [\"198.51.100.2:53\"] } ] }");
        agent.Tell(new Reconfigure(next, NodeRuntime.VipSpecs(next), []) { LoadBalancer = new LoadBalancerDrivers(ipvs, ipvs, ipvs, FollowMembers: false) });
        agent.Tell(new Assign(Added, 2));

        var udp = IpvsServiceKey.Of(IpvsProtocol.Udp, System.Net.IPAddress.Parse(Added), 53);
        AdvanceUntilPoolDone(() => ipvs.Table.Find(udp)?.Destinations.Count == 1, Lease.PromiseTime + Lease.RenewInterval * 2);
        var calls = kernel.Calls.ToList();
        var reshape = calls.IndexOf("reshape off egress eth0");
        var install = calls.IndexOf($"install {Kept},{Added}");
        Assert.True(reshape >= 0 && install > reshape, string.Join(" | ", calls));
        Assert.StartsWith("own ", calls[install + 1]);
        Assert.Contains(Kept, calls[install + 1]);

        kernel.Calls.Clear();
        var back = Settings(Kept);
        agent.Tell(new Reconfigure(back, NodeRuntime.VipSpecs(back), [Added]));
        AdvanceUntilPoolDone(() => !kernel.HasAddress(Added + "/32") && ipvs.Table.Find(udp) is null, Lease.RenewInterval * 4);
        Assert.Contains("reshape all egress eth0", kernel.Calls);
        Assert.True(kernel.HasAddress(Kept + "/32"));
    }
}
