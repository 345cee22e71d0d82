using System.Net;
using ActorVip.Node.Drivers;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// Masquerade's source NAT for one VIP while it lives: the rule (and the sysctls) on start, removed on stop.
/// A child of the IpvsActor, started after the IPVS service exists (net.ipv4.vs.conntrack appears only with ip_vs).
/// </summary>
public sealed class NatActor : ReceiveActor
{
    private readonly IPAddress _vip;
    private readonly ISourceNat _nat;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public NatActor(IPAddress vip, ISourceNat nat)
    {
        _vip = vip;
        _nat = nat;
    }

    public static Props Props(IPAddress vip, ISourceNat nat) => Akka.Actor.Props.Create(() => new NatActor(vip, nat));

    protected override void PreStart()
    {
        try
        {
            _nat.Masquerade(_vip);
            _log.Info("masquerading connections to vip={0} (ip_forward=1, vs.conntrack=1, source NAT)", _vip);
        }
        catch (Exception e)
        {
            _log.Error("setting up source NAT for vip={0} failed: {1}", _vip, e.Message);
        }
    }

    protected override void PostStop()
    {
        try
        {
            _nat.Unmasquerade(_vip);
        }
        catch (Exception e)
        {
            _log.Error("removing source NAT for vip={0} failed: {1}", _vip, e.Message);
        }
    }
}
