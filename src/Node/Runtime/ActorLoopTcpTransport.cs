using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;
using DotNetty.Transport.Channels;
using AkkaTransport = Akka.Remote.Transport.Transport;

namespace ActorVip.Node.Runtime;

/// <summary>
/// Akka's own TCP transport (DotNetty, TLS included) whose sockets are served by the actor loop
/// (<see cref="ActorLoopEventLoop"/>) instead of two DotNetty threads; selected by
/// akka.remote.dot-netty.tcp.transport-class. Akka keeps its DotNetty event loop groups in private fields
/// and offers no setting for them, so they are replaced by reflection right after construction, before
/// Akka listens or connects. Where that is not possible (another Akka version, or a scheduler that is not
/// the <see cref="ActorLoopScheduler"/>) it says so once and runs Akka's transport unchanged.
/// </summary>
public sealed class ActorLoopTcpTransport : AkkaTransport
{
    private const string AkkaTcpTransport = "Akka.Remote.Transport.DotNetty.TcpTransport, Akka.Remote";
    private static readonly string[] GroupFields = ["_serverEventLoopGroup", "_clientEventLoopGroup"];

    private readonly AkkaTransport _inner;

    public ActorLoopTcpTransport(ActorSystem system, Config config)
    {
        var type = Type.GetType(AkkaTcpTransport, throwOnError: true)!;
        _inner = (AkkaTransport)Activator.CreateInstance(type, system, config)!;
        System = system;
        Config = config;
        if (OnActorLoop(system, _inner) is { } reason)
            system.Log.Warning("Akka remoting keeps its own DotNetty threads: {0}", reason);
    }

    public override string SchemeIdentifier
    {
        get => _inner.SchemeIdentifier;
        protected set { }
    }

    public override long MaximumPayloadBytes
    {
        get => _inner.MaximumPayloadBytes;
        protected set { }
    }

    public override Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen() => _inner.Listen();

    public override bool IsResponsibleFor(Address remote) => _inner.IsResponsibleFor(remote);

    public override Task<AssociationHandle> Associate(Address remoteAddress) => _inner.Associate(remoteAddress);

    public override Task<bool> Shutdown() => _inner.Shutdown();

    public override Task<bool> ManagementCommand(object message) => _inner.ManagementCommand(message);

    /// <summary>The limits on this transport's inbound connections (<see cref="InboundConnections"/>).</summary>
    public InboundConnections Inbound { get; } = new();

    /// <summary>Moves <paramref name="transport"/> onto the actor loop; null when done, else why not.</summary>
    private string? OnActorLoop(ActorSystem system, AkkaTransport transport)
    {
        if (system.Scheduler is not ActorLoopScheduler loop)
            return $"akka.scheduler.implementation is {system.Scheduler.GetType().Name}, not {nameof(ActorLoopScheduler)}";
        var fields = GroupFields.Select(name => transport.GetType().BaseType?.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)).ToList();
        if (fields.Any(f => f is null || !typeof(IEventLoopGroup).IsAssignableFrom(f.FieldType)))
            return $"this Akka.Remote has no {string.Join(" and ", GroupFields)} fields of type {nameof(IEventLoopGroup)}";
        // The server's group also registers the connections it accepts, which the inbound guard limits.
        var server = new ActorLoopEventLoop(loop, Inbound);
        var client = new ActorLoopEventLoop(loop);
        foreach (var field in fields)
        {
            var own = (IEventLoopGroup)field!.GetValue(transport)!;
            field.SetValue(transport, field.Name == GroupFields[0] ? server : client);
            // Its threads are started already and have nothing to do: end them.
            own.ShutdownGracefullyAsync(TimeSpan.Zero, TimeSpan.Zero);
        }
        return null;
    }
}
