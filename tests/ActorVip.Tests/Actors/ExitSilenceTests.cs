using ActorVip.Node.Cli;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;

namespace ActorVip.Tests.Actors;

/// <summary>
/// A node exits (stopped gracefully, a failed start, or its actor system stopped under it) with every VIP silenced and its
/// fence still installed with nothing owned (issue 13 §2.5): the fence is what keeps a VIP whose removal failed from being
/// answered. RunCommandTests shows it on a real kernel for the graceful stop.
/// </summary>
public class ExitSilenceTests
{
    private static NodeSettings Settings() => SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
        new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", ["192.0.2.100", "2001:db8::100"])));

    [Fact]
    public void Every_vip_is_disowned_then_removed_and_the_fence_stays()
    {
        var kernel = new KernelRecorder();
        var errors = ExitSilence.Silence(new DriverSet(new NoLinks(), kernel, kernel, kernel), [KernelRecorder.Link], Settings());
        Assert.Empty(errors);
        Assert.Equal(["disown 192.0.2.100", "remove 192.0.2.100/32", "disown 2001:db8::100", "remove 2001:db8::100/128"], kernel.Calls);
    }

    [Fact]
    public void A_vip_with_its_own_interface_is_removed_from_that_interface()
    {
        var kernel = new KernelRecorder();
        var settings = Configuration.VipServicesTests.ReadFile(
            """actorvip { interface = eth0, vips = [ { address = "192.0.2.100" }, { address = "198.51.100.10", interface = eth1 } ] }""");
        var eth1 = KernelRecorder.Link with { Name = "eth1", Index = 3 };
        Assert.Empty(ExitSilence.Silence(new DriverSet(new NoLinks(), kernel, kernel, kernel), [KernelRecorder.Link, eth1], settings));
        Assert.Equal(["remove 192.0.2.100/32 eth0", "remove 198.51.100.10/32 eth1"], kernel.OnInterface);
    }

    [Fact]
    public void A_failed_removal_is_reported_and_the_fence_still_stays()
    {
        var kernel = new KernelRecorder { FailRemove = true };
        var errors = ExitSilence.Silence(new DriverSet(new NoLinks(), kernel, kernel, kernel), [KernelRecorder.Link], Settings());
        Assert.Equal(2, errors.Count);
        Assert.Contains("removing 192.0.2.100/32 from eth0 failed", errors[0]);
        Assert.DoesNotContain("remove-fence", kernel.Calls);
        Assert.Contains("disown 2001:db8::100", kernel.Calls);
    }
}
