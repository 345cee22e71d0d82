namespace ActorVip.Node.Ipvs;

/// <summary>One change to the kernel's IPVS table; each becomes one generic netlink request.</summary>
public abstract record IpvsOperation(IpvsServiceKey Service)
{
    /// <summary>Requests of one phase may share a send; a later phase waits until the earlier one succeeded.</summary>
    public abstract IpvsPhase Phase { get; }

    /// <summary>What this change does, as a phrase for messages ("adding service tcp 192.0.2.1:80").</summary>
    public abstract string Describe();
}

/// <summary>The safe order of a change: services exist before their destinations, removals come last.</summary>
public enum IpvsPhase
{
    Services = 0,
    Destinations = 1,
    DestinationRemovals = 2,
    ServiceRemovals = 3,
}

public sealed record AddService(IpvsServiceKey Service, IpvsServiceSettings Settings) : IpvsOperation(Service)
{
    public override IpvsPhase Phase => IpvsPhase.Services;

    public override string Describe() => $"adding service {Service} with scheduler {Settings.Scheduler}";
}

public sealed record EditService(IpvsServiceKey Service, IpvsServiceSettings Settings) : IpvsOperation(Service)
{
    public override IpvsPhase Phase => IpvsPhase.Services;

    public override string Describe() => $"editing service {Service}";
}

public sealed record DeleteService(IpvsServiceKey Service) : IpvsOperation(Service)
{
    public override IpvsPhase Phase => IpvsPhase.ServiceRemovals;

    public override string Describe() => $"deleting service {Service}";
}

public sealed record AddDestination(IpvsServiceKey Service, IpvsDestination Destination) : IpvsOperation(Service)
{
    public override IpvsPhase Phase => IpvsPhase.Destinations;

    public override string Describe() => $"adding destination {Destination} to service {Service}";
}

public sealed record EditDestination(IpvsServiceKey Service, IpvsDestination Destination) : IpvsOperation(Service)
{
    public override IpvsPhase Phase => IpvsPhase.Destinations;

    public override string Describe() => $"editing destination {Destination} of service {Service}";
}

public sealed record DeleteDestination(IpvsServiceKey Service, IpvsDestinationKey Destination) : IpvsOperation(Service)
{
    public override IpvsPhase Phase => IpvsPhase.DestinationRemovals;

    public override string Describe() => $"deleting destination {Destination} from service {Service}";
}
