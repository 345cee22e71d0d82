using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Logging;
using ActorVip.Tests.Actors;
using Akka.Event;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Logging;

/// <summary>A real VipActor's acquired/released events, formatted by the node's logger, name the VIP, epoch and node as fields.</summary>
public class OwnershipLogTests : TestKit
{
    [Fact]
    public void Acquired_and_released_lines_carry_vip_epoch_and_node()
    {
        var settings = SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
            new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", ["192.0.2.100"])));
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(Info));
        var kernel = new KernelRecorder();
        const string node = "akka.tcp://actorvip@192.0.2.11:4053";
        var vip = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, VipAddress.Parse("192.0.2.100"), settings, kernel, kernel, kernel,
            KernelRecorder.Lease(TimeSpan.FromMinutes(5)), owner: new OwnerTag(7, new NodeId(node))));

        var acquired = probe.FishForMessage<Info>(i => i.LogClass == typeof(VipActor) && i.Message.ToString()!.StartsWith("acquired", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
        Sys.Stop(vip);
        var released = probe.FishForMessage<Info>(i => i.LogClass == typeof(VipActor) && i.Message.ToString()!.StartsWith("released", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));

        foreach (var (e, msg) in new[] { (acquired, "acquired"), (released, "released") })
        {
            var line = LogLine.Format(e, LogFormat.Logfmt);
            Assert.Matches(
                $@"^ts=\S+Z level=info source=VipActor msg={msg} vip=192\.0\.2\.100/32 epoch=7 node=akka\.tcp://actorvip@192\.0\.2\.11:4053 interface=\S+",
                line);
        }
    }
}
