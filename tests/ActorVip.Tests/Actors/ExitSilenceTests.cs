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
        var errors = ExitSilence.Silence(new DriverSet(new NoLinks(), kernel, kernel, kernel), KernelRecorder.Link, Settings());
        Assert.Empty(errors);
        Assert.Equal(["disown 192.0.2.100", "remove 192.0.2.100/32", "disown 2001:db8::100", "remove 2001:db8::100/128"], kernel.Calls);
    }

    [Fact]
    public void A_failed_removal_is_reported_and_the_fence_still_stays()
    {
        var kernel = new KernelRecorder { FailRemove = true };
        var errors = ExitSilence.Silence(new DriverSet(new NoLinks(), kernel, kernel, kernel), KernelRecorder.Link, Settings());
        Assert.Equal(2, errors.Count);
        Assert.Contains("removing 192.0.2.100/32 from eth0 failed", errors[0]);
        Assert.DoesNotContain("remove-fence", kernel.Calls);
        Assert.Contains("disown 2001:db8::100", kernel.Calls);
    }

    private sealed class NoLinks : ILinkDriver
    {
        public InterfaceInfo? Find(string name) => null;
    }
}
