using System.Collections;
using ActorVip.Node.Cli;
using ActorVip.Node.Configuration;

namespace ActorVip.Tests.Configuration;

/// <summary>
/// What a reload applies (issue 14 §5): the VIP list and each VIP's own settings, all of it or none; every other setting changed is
/// named as needing a restart. The VIPs that did not change keep their running configuration.
/// </summary>
public class ReloadPlanTests
{
    private const string Base = """
        actorvip {
          interface = eth0
          addresses = ["192.0.2.10"]
          vips = [ { address = "192.0.2.11", preempt = on, preferred-nodes = ["192.0.2.1:4053"] } ]
          nodes = 3
          node-address = "192.0.2.1:4053"
          seeds = ["192.0.2.1:4053", "192.0.2.2:4053", "192.0.2.3:4053"]
        }
        """;

    private static (NodeSettings Settings, Akka.Configuration.Config Config) Read(string hocon)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, hocon);
            var config = ConfigSources.Compose(file, new Hashtable(), new HoconOverrides());
            return (SettingsReader.Read(config), config);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <param name="host">What the host says of the added and changed VIPs; null: nothing against them.</param>
    private static ReloadPlan Plan(string next, ReloadHost? host = null) => PlanFrom(Base, next, host);

    [Fact]
    public void The_same_file_is_unchanged()
    {
        var plan = Plan(Base);

        Assert.False(plan.ChangesVips);
        Assert.Equal("actorvip: reload: the configuration is unchanged", plan.Describe());
    }

    [Fact]
    public void Vips_added_removed_and_changed_are_applied_and_the_unchanged_keep_their_running_configuration()
    {
        var plan = Plan(Base.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.12\", \"192.0.2.13\"]")
            .Replace("preempt = on", "preempt = off"));

        Assert.Equal(["192.0.2.12", "192.0.2.13"], plan.Added);
        Assert.Equal(["192.0.2.10"], plan.Removed);
        Assert.Equal(["192.0.2.11"], plan.Changed);
        Assert.Equal(["192.0.2.10", "192.0.2.11"], plan.Dropped);
        Assert.Equal(["192.0.2.11", "192.0.2.12", "192.0.2.13"], plan.Applied.Vips.Select(v => v.Address.ToString()).Order());
        Assert.False(plan.Applied.VipNamed("192.0.2.11")!.Preempt);
        Assert.Empty(plan.NeedsRestart);
        Assert.Equal("actorvip: reload: applied: 2 VIPs added, 1 removed, 1 changed (a changed VIP held here is released and placed again: " +
            "it may blink)", plan.Describe());
    }

    [Fact]
    public void Other_settings_changed_are_named_and_not_applied_beside_the_vips_that_are()
    {
        var plan = Plan(Base.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.10\", \"192.0.2.12\"]\n  lease.lease-time = 900ms"));

        Assert.Equal(["192.0.2.12"], plan.Added);
        Assert.Equal(["lease.lease-time"], plan.NeedsRestart);
        Assert.Equal(TimeSpan.FromMilliseconds(700), plan.Applied.Lease.LeaseTime);
        Assert.Equal("actorvip: reload: applied: 1 VIP added, 0 removed, 0 changed; needs a restart, not applied: lease.lease-time " +
            "(systemctl restart actorvip, one master at a time)", plan.Describe());
    }

    /// <summary>A VIP on an interface no running VIP is on is applied when the host has it: the agent watches it from then on.</summary>
    [Fact]
    public void A_vip_on_a_new_interface_the_host_has_is_added()
    {
        var plan = Plan(Base.Replace("vips = [", "vips = [ { address = \"198.51.100.10\", interface = eth1 },"),
            new ReloadHost(name => name is "eth0" or "eth1", _ => null));

        Assert.Equal(["198.51.100.10"], plan.Added);
        Assert.Empty(plan.NeedsRestart);
        Assert.Equal(["eth0", "eth1"], plan.Applied.VipInterfaces);
    }

    /// <summary>
    /// One the host lacks is refused by name, and then no VIP change is applied (the whole list or none of it); the line says to create
    /// the interface, not to restart (a start would stop on it too, exit 1).
    /// </summary>
    [Fact]
    public void A_vip_on_an_interface_the_host_lacks_is_refused_and_then_no_vip_change_is_applied()
    {
        var plan = Plan(Base.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.12\"]")
            .Replace("vips = [", "vips = [ { address = \"198.51.100.10\", interface = eth1 },"), new ReloadHost(name => name == "eth0", _ => null));

        Assert.False(plan.ChangesVips);
        Assert.Equal(["192.0.2.10", "192.0.2.11"], plan.Applied.Vips.Select(v => v.Address.ToString()));
        Assert.Empty(plan.NeedsRestart);
        Assert.Equal("actorvip: reload: applied: nothing; not applied, refused by this host: vips (198.51.100.10 is on interface eth1, which " +
            "this host does not have) (change the host or the file, then reload)", plan.Describe());
    }

    /// <summary>
    /// An added VIP that is an address of this host (given by hand, DHCP) is refused as at start, where it stops the node: holding it
    /// would replace the host's address with a deprecated copy, and releasing it would remove the host's address.
    /// </summary>
    [Fact]
    public void An_added_vip_that_is_an_address_of_this_host_is_refused_by_name()
    {
        var plan = Plan(Base.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.10\", \"192.0.2.5\"]"),
            new ReloadHost(_ => true, vip => vip.Address.ToString() == "192.0.2.5" ? "192.0.2.5 is an address of this host on eth0" : null));

        Assert.False(plan.ChangesVips);
        Assert.Empty(plan.Added);
        Assert.Contains("refused by this host: vips (192.0.2.5 is an address of this host on eth0)", plan.Describe());
    }

    /// <summary>
    /// Health checks are applied by a reload (VipHealthWatch.Retarget): a VIP added with its own checks is added; one whose checks alone
    /// changed is re-checked, not released (editing a check must not blink the VIP). Before, either needed a restart and held up the
    /// whole VIP list.
    /// </summary>
    [Fact]
    public void A_vip_with_health_checks_added_is_applied_and_one_whose_checks_alone_changed_is_rechecked_not_released()
    {
        var plan = Plan(Base.Replace("vips = [", "vips = [ { address = \"192.0.2.12\", health-checks = [ { type = tcp, port = 6443 } ] },")
            .Replace("preempt = on,", "preempt = on, health-checks = [ { type = http, url = \"http://127.0.0.1:6443/readyz\" } ],"));

        Assert.Empty(plan.NeedsRestart);
        Assert.Equal(["192.0.2.12"], plan.Added);
        Assert.Empty(plan.Changed);
        Assert.Empty(plan.Dropped);
        Assert.Equal(["192.0.2.11"], plan.Rechecked);
        Assert.True(plan.ChangesVips);
        Assert.True(plan.Applied.VipNamed("192.0.2.12")!.HealthTracked);
        Assert.Equal("/readyz", Assert.Single(plan.Applied.VipNamed("192.0.2.11")!.Checks).Health.Path);
        Assert.EndsWith("1 VIP added, 0 removed, 0 changed, 1 with new health checks (kept where they are unless the checks move them)", plan.Describe());
    }

    /// <summary>The node-wide health-checks and when-none-healthy are VIP settings too: every VIP that takes them is re-checked.</summary>
    [Fact]
    public void Node_wide_health_checks_added_by_a_reload_recheck_every_vip_that_takes_them()
    {
        var plan = Plan(Base.Replace("nodes = 3", "nodes = 3\n  health-checks = [ { type = tcp, port = 6443 } ]\n  when-none-healthy = release"));

        Assert.Empty(plan.NeedsRestart);
        Assert.Empty(plan.Changed);
        Assert.Equal(["192.0.2.10", "192.0.2.11"], plan.Rechecked.Order());
        Assert.All(plan.Applied.Vips, v => Assert.True(v.HealthTracked && v.ReleaseWhenNoneHealthy));
    }

    /// <summary>A VIP with services, read twice from the same text, is equal to itself: a reload of an unchanged file touches nothing.</summary>
    [Fact]
    public void An_unchanged_vip_with_services_and_checks_is_not_changed()
    {
        var withServices = Base.Replace("vips = [", "vips = [ { address = \"192.0.2.12\", health-checks = [ { type = tcp, port = 6443 } ], " +
            "services = [ { protocol = udp, port = 53, backends = [\"192.0.2.21:53\"] } ] },");
        var (running, config) = Read(withServices);
        var (next, nextConfig) = Read(withServices);

        var plan = ReloadPlan.Of(running, config, next, nextConfig);

        Assert.False(plan.ChangesVips);
        Assert.Empty(plan.NeedsRestart);
    }

    private const string Balancing = """
        actorvip {
          interface = eth0
          addresses = ["192.0.2.10"]
          nodes = 3
          node-address = "192.0.2.1:4053"
          seeds = ["192.0.2.1:4053", "192.0.2.2:4053", "192.0.2.3:4053"]
          lb { enabled = on, fwdmethod = masquerade, port = 6443, backends = ["198.51.100.1:6443"] }
        }
        """;

    private static ReloadPlan PlanFrom(string running, string next, ReloadHost? host = null)
    {
        var (settings, config) = Read(running);
        var (nextSettings, nextConfig) = Read(next);
        return ReloadPlan.Of(settings, config, nextSettings, nextConfig, host: host);
    }

    /// <summary>
    /// On a node that balances, a VIP added with services of its own (a scheduler the start checked) or taking the lb default is
    /// applied: its holder programs them. Before, any was refused.
    /// </summary>
    [Fact]
    public void On_a_balancing_node_a_vip_with_services_is_added_and_one_taking_the_default_service_too()
    {
        var plan = PlanFrom(Balancing, Balancing.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.10\", \"192.0.2.12\"]\n" +
            "  vips = [ { address = \"192.0.2.11\", services = [ { protocol = udp, port = 53, fwdmethod = masquerade, backends = [\"198.51.100.2:53\"] }, " +
            "{ protocol = tcp, port = 53, fwdmethod = local } ] } ]"));

        Assert.Empty(plan.NeedsRestart);
        Assert.Equal(["192.0.2.11", "192.0.2.12"], plan.Added.Order());
        Assert.Equal(["udp 53", "tcp 53"], plan.Applied.ServicesOf(plan.Applied.VipNamed("192.0.2.11")!).Select(s => s.Name));
        Assert.Equal(["tcp 6443"], plan.Applied.ServicesOf(plan.Applied.VipNamed("192.0.2.12")!).Select(s => s.Name));
    }

    /// <summary>
    /// A VIP whose services forward by directroute or tunnel changes the fence's inbound rule, and one on a new interface of a tunnelling
    /// node adds a rule there: both are applied (the agent reshapes the fence, ReconfigureTests), not a restart as before.
    /// </summary>
    [Theory]
    [InlineData("fwdmethod = directroute", "eth0")]
    [InlineData("fwdmethod = tunnel", "eth0")]
    [InlineData("fwdmethod = tunnel", "eth1")]
    public void A_vip_whose_services_change_the_inbound_fence_is_applied(string method, string vipInterface)
    {
        var plan = PlanFrom(Balancing, Balancing.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.10\", \"192.0.2.12\"]\n" +
            $"  vips = [ {{ address = \"192.0.2.11\", interface = {vipInterface}, services = [ {{ protocol = udp, port = 53, {method}, " +
            "backends = [\"198.51.100.2:53\"] } ] } ]"), new ReloadHost(_ => true, _ => null));

        Assert.Empty(plan.NeedsRestart);
        Assert.Empty(plan.HostRefuses);
        Assert.Equal(["192.0.2.11", "192.0.2.12"], plan.Added.Order());
    }

    /// <summary>
    /// The first load-balanced service of a node that started without any: the reload opens IPVS for it (once, last, after every other
    /// check passed, with the new settings) and applies it; on a kernel without IPVS the whole list is refused by this host, as a start
    /// would stop on it (exit 1). Before, it needed a restart.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("the kernel has no IPVS: load it with modprobe ip_vs")]
    public void The_first_service_of_a_node_that_started_without_any_opens_ipvs_or_is_refused_by_this_host(string? cannot)
    {
        var running = Balancing.Replace("enabled = on", "enabled = off");
        var asked = new List<NodeSettings>();

        var plan = PlanFrom(running, running.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.10\", \"192.0.2.12\"]\n" +
            "  vips = [ { address = \"192.0.2.11\", services = [ { protocol = udp, port = 53, backends = [\"198.51.100.2:53\"] } ] } ]"),
            new ReloadHost(_ => true, _ => null, _ => true, next =>
            {
                asked.Add(next);
                return cannot;
            }));

        Assert.Equal(["192.0.2.10", "192.0.2.11", "192.0.2.12"], Assert.Single(asked).Vips.Select(v => v.Address.ToString()).Order());
        Assert.Empty(plan.NeedsRestart);
        Assert.Equal(cannot is null, plan.ChangesVips);
        Assert.Equal(cannot is null ? [] : [$"vips (192.0.2.11 has load-balanced services, and this node started without any: {cannot})"],
            plan.HostRefuses);
    }

    /// <summary>IPVS is opened only for a service, and not when another VIP of the list is refused (nothing is applied then).</summary>
    [Fact]
    public void Ipvs_is_not_opened_for_a_list_without_services_nor_for_one_refused_otherwise()
    {
        var running = Balancing.Replace("enabled = on", "enabled = off");
        var opened = 0;
        var host = new ReloadHost(_ => true, vip => vip.ToString() == "192.0.2.5/32" ? "192.0.2.5 is this host's own address" : null, _ => true, _ =>
        {
            opened++;
            return null;
        });

        var plain = PlanFrom(running, running.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.10\", \"192.0.2.12\"]"), host);
        var refused = PlanFrom(running, running.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.10\", \"192.0.2.5\"]\n" +
            "  vips = [ { address = \"192.0.2.11\", services = [ { protocol = udp, port = 53, backends = [\"198.51.100.2:53\"] } ] } ]"), host);

        Assert.True(plain.ChangesVips);
        Assert.False(refused.ChangesVips);
        Assert.Equal(["vips (192.0.2.5 is this host's own address)"], refused.HostRefuses);
        Assert.Equal(0, opened);
    }

    /// <summary>
    /// A service with a scheduler no service used at start is applied when the kernel has its module (the start's look at the modules,
    /// now), and refused by this host when it lacks it, as a start would stop on it (exit 1). Before, any new scheduler needed a restart.
    /// </summary>
    [Theory]
    [InlineData("wrr", true, "")]
    [InlineData("nosuch", false, "vips (192.0.2.11 udp 53 uses scheduler nosuch: this kernel has no module ip_vs_nosuch)")]
    public void A_new_scheduler_is_applied_when_the_kernel_has_it_and_refused_by_this_host_when_it_lacks_it(string scheduler, bool applied, string refusal)
    {
        var asked = new List<string>();

        var plan = PlanFrom(Balancing, Balancing.Replace("addresses = [\"192.0.2.10\"]", "addresses = [\"192.0.2.10\"]\n" +
            $"  vips = [ {{ address = \"192.0.2.11\", services = [ {{ protocol = udp, port = 53, scheduler = {scheduler}, " +
            "backends = [\"198.51.100.2:53\"] } ] } ]"), new ReloadHost(_ => true, _ => null, s =>
        {
            asked.Add(s);
            return s != "nosuch";
        }));

        Assert.Equal(applied, plan.ChangesVips);
        Assert.Empty(plan.NeedsRestart);
        Assert.Equal(applied ? [] : [refusal], plan.HostRefuses);
        // Only the new scheduler is looked up: rr was checked at start.
        Assert.Equal([scheduler], asked);
    }
}
