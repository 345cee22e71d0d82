using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ActorVip.Node.Logging;

/// <summary>
/// Akka logger (akka.loggers) that writes each event as one logfmt or JSON line on stdout
/// (actorvip.log-format). Replaces Akka's DefaultLogger and its multi-line "[INFO][date][thread]" format.
/// </summary>
public sealed class LineLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public const string TypeName = "ActorVip.Node.Logging.LineLogger, actorvip";

    public LineLogger()
    {
        var format = Context.System.Settings.Config.GetString("actorvip.log-format", "logfmt") == "json" ? LogFormat.Json : LogFormat.Logfmt;
        LineStdoutLogger.Format = format;
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.Out.WriteLine(LogLine.Format(e, format)));
    }
}
