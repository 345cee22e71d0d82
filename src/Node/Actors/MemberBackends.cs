using ActorVip.Node.Configuration;
using ActorVip.Node.LoadBalancing;
using Akka.Actor;
using Akka.Cluster;

namespace ActorVip.Node.Actors;

/// <summary>
/// Follows the cluster: every reachable member with role `vip` that is up is a backend (its host, the backend
/// port, where its own API server listens). Tells the parent the whole list whenever it changes, named for its service.
/// </summary>
public sealed class MemberBackends : ReceiveActor
{
    private readonly int _backendPort;
    private readonly string _service;
    private readonly Dictionary<UniqueAddress, Member> _up = new();
    private readonly HashSet<UniqueAddress> _unreachable = new();
    private IReadOnlyList<Endpoint> _last = [];

    public MemberBackends(int backendPort, string service = "")
    {
        _backendPort = backendPort;
        _service = service;
        Receive<ClusterEvent.MemberUp>(e => Up(e.Member));
        Receive<ClusterEvent.MemberWeaklyUp>(e => Up(e.Member));
        Receive<ClusterEvent.MemberJoined>(_ => { });
        Receive<ClusterEvent.MemberLeft>(e => Gone(e.Member));
        Receive<ClusterEvent.MemberExited>(e => Gone(e.Member));
        Receive<ClusterEvent.MemberRemoved>(e => Gone(e.Member));
        Receive<ClusterEvent.MemberDowned>(e => Gone(e.Member));
        Receive<ClusterEvent.UnreachableMember>(e => Changed(() => _unreachable.Add(e.Member.UniqueAddress)));
        Receive<ClusterEvent.ReachableMember>(e => Changed(() => _unreachable.Remove(e.Member.UniqueAddress)));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    public static Props Props(int backendPort, string service = "") => Akka.Actor.Props.Create(() => new MemberBackends(backendPort, service));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Up(Member member)
    {
        if (member.HasRole("vip")) Changed(() => _up[member.UniqueAddress] = member);
    }

    private void Gone(Member member) => Changed(() =>
    {
        _up.Remove(member.UniqueAddress);
        _unreachable.Remove(member.UniqueAddress);
    });

    private void Changed(Action change)
    {
        change();
        var now = _up.Values.Where(m => !_unreachable.Contains(m.UniqueAddress) && m.Address.Host is not null)
            .Select(m => new Endpoint(m.Address.Host!, _backendPort))
            .Distinct()
            .OrderBy(e => e.ToString(), StringComparer.Ordinal)
            .ToList();
        if (now.SequenceEqual(_last)) return;
        _last = now;
        Context.Parent.Tell(new MembersChanged(now, _service));
    }
}
