using Akka.Actor;
using Akka.Event;

namespace ActorVip.Lab.Simulation;

/// <summary>
/// Copies a node's log lines into the timeline: ActorVip's own (placement, lease granted/lost, acquire,
/// release) and every warning, so that an overlap or a slow failover can be read next to what the nodes said.
/// </summary>
public sealed class TimelineLog : ReceiveActor
{
    public TimelineLog(SimulatedHost host)
    {
        Receive<LogEvent>(e =>
        {
            var ours = e.LogSource.Contains("/user/", StringComparison.Ordinal);
            if (e.LogLevel() >= LogLevel.WarningLevel || (ours && e.LogLevel() >= LogLevel.InfoLevel))
                host.Record(null, TimelineKind.Log, $"{e.LogLevel().ToString().Replace("Level", "").ToLowerInvariant()}: {e.Message}");
        });
    }

    public static void Attach(ActorSystem system, SimulatedHost host)
    {
        // A system actor: a freeze of the user actors must not delay the log lines that explain it.
        var log = ((ExtendedActorSystem)system).SystemActorOf(Props.Create(() => new TimelineLog(host)), "timeline-log");
        system.EventStream.Subscribe(log, typeof(LogEvent));
    }
}
