using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Hosting;
using ActorVip.Tests.Cluster;
using Akka.Actor;

namespace ActorVip.Tests.Deploy;

/// <summary>
/// When a node tells systemd it is ready (Type=notify), against a real unix datagram socket standing where systemd's would
/// be, with a real cluster actor system on loopback. A node of a cluster whose first seed is down never joins, yet serves
/// once a majority of voters placed its VIPs: without READY=1 systemd's TimeoutStartSec (5 minutes) restarted it.
/// </summary>
public sealed class SystemdReadinessTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"avt-ready-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}.sock");
    private readonly Socket _systemd;
    private readonly ServiceNotifier _notifier;
    private readonly ActorSystem _system = ActorSystem.Create("actorvip", OneNodeCluster.Config);
    private readonly NodeId _self;
    private readonly SystemdService _service;

    public SystemdReadinessTests()
    {
        _systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _systemd.Bind(new UnixDomainSocketEndPoint(_path));
        _systemd.ReceiveTimeout = 10_000;
        _notifier = new ServiceNotifier(_path);
        _self = new NodeId(Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString());
        _service = new SystemdService(_notifier);
        _service.WatchReadiness(_system, _self);
    }

    [Fact]
    public void A_node_that_serves_without_a_cluster_is_ready_and_says_why_until_it_joins()
    {
        _system.EventStream.Publish(new VipAcquired("192.0.2.100", 4, _self));
        Assert.Equal("READY=1", Next());
        Assert.Contains("without having joined a cluster", Next());
        _system.EventStream.Publish(new VipAcquired("192.0.2.101", 5, _self));

        var cluster = Akka.Cluster.Cluster.Get(_system);
        cluster.Join(cluster.SelfAddress);
        // READY=1 once only; joining has the last word on STATUS.
        Assert.Equal($"STATUS=node {_self} joined the cluster", Next());
        _systemd.ReceiveTimeout = 500;
        Assert.Throws<SocketException>(Next);
    }

    [Fact]
    public void A_node_that_joins_first_is_ready_then_and_a_vip_held_later_changes_nothing()
    {
        var cluster = Akka.Cluster.Cluster.Get(_system);
        cluster.Join(cluster.SelfAddress);
        Assert.Equal("READY=1", Next());
        Assert.Equal($"STATUS=node {_self} joined the cluster", Next());
        _system.EventStream.Publish(new VipAcquired("192.0.2.100", 4, _self));
        _systemd.ReceiveTimeout = 500;
        Assert.Throws<SocketException>(Next);
    }

    [Fact]
    public void A_reload_is_reloading_with_its_monotonic_time_then_ready_and_says_nothing_before_the_node_is_ready()
    {
        // Still joining: READY=1 at the reload's end would tell systemd that the node started.
        _service.Reloading(1_000);
        _service.Reloaded();
        var cluster = Akka.Cluster.Cluster.Get(_system);
        cluster.Join(cluster.SelfAddress);
        Assert.Equal("READY=1", Next());
        Assert.Equal($"STATUS=node {_self} joined the cluster", Next());

        _service.Reloading(123_456_789);
        _service.Reloaded();
        Assert.Equal("RELOADING=1\nMONOTONIC_USEC=123456789", Next());
        Assert.Equal("READY=1", Next());
        _systemd.ReceiveTimeout = 500;
        Assert.Throws<SocketException>(Next);
    }

    private string Next()
    {
        var buffer = new byte[512];
        return Encoding.UTF8.GetString(buffer, 0, _systemd.Receive(buffer));
    }

    public void Dispose()
    {
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
        _notifier.Dispose();
        _systemd.Dispose();
        File.Delete(_path);
    }
}
