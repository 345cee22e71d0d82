using Akka.Actor;
using Akka.Event;

namespace ActorVip.Lab.Simulation;

/// <summary>Akka's logger for simulated nodes: prints nothing; <see cref="TimelineLog"/> puts the lines that matter into the timeline.</summary>
public sealed class QuietLogger : ReceiveActor
{
    public QuietLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        ReceiveAny(_ => { });
    }
}
