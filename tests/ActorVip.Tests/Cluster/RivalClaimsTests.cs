using System.Collections.Concurrent;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using ActorVip.Tests.Actors;
using Akka.Actor;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// Two deputies claim one VIP at one epoch. Seen in CI (a 5-node rack crash, 11.2 s dark): the survivors' deputies saw the
/// members' ages differently (the gossip cannot converge while the lost nodes are unreachable), each chose itself, and with
/// two of five voters gone each claimant needed the other's own voter: each saw a voter name the other, both yielded, and
/// the next look chose the same way again, until the split brain resolver and the singleton's hand-over made an allocator.
/// Real voters and agents, in three actor systems over loopback; the two lost voters are ports nothing listens on.
/// </summary>
public sealed class RivalClaimsTests : IDisposable
{
    private const string Vip = "192.0.2.100";
    private static readonly LeaseSettings Lease = new(5);
    private static readonly NodeId LostOwner = new("akka.tcp://actorvip@127.0.0.1:1");
    private static readonly NodeId LostAllocator = new("akka.tcp://actorvip@127.0.0.1:2");

    private readonly List<ActorSystem> _systems = [];

    [Fact]
    public async Task Of_two_claimants_at_one_epoch_one_holds_the_vip_and_the_other_lets_go()
    {
        var nodes = Enumerable.Range(0, 3).Select(_ => StartSystem()).ToList();
        // The configured order: the claimant listed first is the one the other yields to.
        var voters = new[] { LostOwner, LostAllocator, nodes[0].Id, nodes[1].Id, nodes[2].Id };
        var kernels = new List<KernelRecorder>();
        var released = new ConcurrentQueue<Released>();
        foreach (var (system, id) in nodes)
        {
            system.ActorOf(VoterActor.Props(Lease, id, MonotonicClock.Instance), VoterActor.Name);
            kernels.Add(new KernelRecorder());
        }
        // Connected, as survivors that ran for a while are: a first message to a system waits for its association (up to a
        // second here), which would outlast the claims' promise-time of patience.
        foreach (var (system, _) in nodes)
        {
            foreach (var (_, id) in nodes)
                await system.ActorSelection(VoterActor.PathOf(id)).Ask<VoterPromises>(GetPromises.Instance, TimeSpan.FromSeconds(10));
        }
        // Past the voters' quiet period after a start (a promise-time), as on survivors that ran for a while.
        await Task.Delay(Lease.PromiseTime + TimeSpan.FromMilliseconds(100));
        var agents = new List<IActorRef>();
        for (var i = 1; i < 3; i++)
        {
            var (system, id) = nodes[i];
            var allocator = system.ActorOf(Props.Create(() => new RecordReleased(released)));
            var drivers = new DriverSet(new NoLinks(), kernels[i], kernels[i], kernels[i]);
            agents.Add(system.ActorOf(NodeAgent.Props(Settings(), [KernelRecorder.Link], drivers, Lease, voters, id, MonotonicClock.Instance,
                allocator), NodeAgent.Name));
        }

        foreach (var agent in agents) agent.Tell(new Claim(Vip, 4, PreviousOwner: LostOwner));

        var deadline = DateTime.UtcNow + Lease.PromiseTime * 2;
        while (!kernels.Any(k => k.HasAddress($"{Vip}/32")) && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(kernels.Any(k => k.HasAddress($"{Vip}/32")),
            $"nobody holds the VIP {Lease.PromiseTime * 2} after two claims; both let go: {string.Join(", ", released.Select(r => r.Owner))}");
        // Usually the claimant listed first (DeputyPlacementTests: the other yields to it). Not always: on a loaded machine
        // (CI, once) the second claim reached the first claimant's voter before the first claim did, and with three votes
        // before any refusal the second simply held the lease; one holder all the same, which is what this test is about.
        var holder = kernels[1].HasAddress($"{Vip}/32") ? 1 : 2;
        // The other let go for good: it never put the VIP in its kernel, not even a promise-time later.
        await Task.Delay(Lease.PromiseTime);
        Assert.DoesNotContain(kernels[3 - holder].Calls, c => c.StartsWith("add", StringComparison.Ordinal) || c.StartsWith("own", StringComparison.Ordinal));
    }

    private static NodeSettings Settings() => SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
        new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", [Vip])));

    private (ActorSystem System, NodeId Id) StartSystem()
    {
        var config = OneNodeCluster.Config.WithFallback(ConfigSources.Reference());
        var system = ActorSystem.Create("actorvip", config);
        _systems.Add(system);
        return (system, new NodeId(((ExtendedActorSystem)system).Provider.DefaultAddress.ToString()));
    }

    public void Dispose()
    {
        foreach (var system in _systems) system.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    private sealed class RecordReleased : ReceiveActor
    {
        public RecordReleased(ConcurrentQueue<Released> released)
        {
            Receive<Released>(released.Enqueue);
            Receive<ReleasedBatch>(b => { foreach (var r in b.Items) released.Enqueue(r); });
            ReceiveAny(_ => { });
        }
    }
}
