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

    /// <summary>How long the same warning or error is counted rather than written again.</summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromSeconds(10);

    private readonly RepeatedLines _repeats = new(RepeatWindow);

    public LineLogger()
    {
        var format = Context.System.Settings.Config.GetString("actorvip.log-format", "logfmt") == "json" ? LogFormat.Json : LogFormat.Logfmt;
        LineStdoutLogger.Format = format;
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            var line = LogLine.Format(e, format);
            // ActorVip's own warnings tell a VIP's story (lease lost, re-added) and are never held back; Akka's can be
            // made to repeat by anyone who reaches the cluster port.
            if (e.LogLevel() < LogLevel.WarningLevel || e.LogClass?.Namespace?.StartsWith("ActorVip.", StringComparison.Ordinal) == true)
            {
                Console.Out.WriteLine(line);
                return;
            }
            var (write, held) = _repeats.Admit(line, DateTime.UtcNow);
            if (write) Console.Out.WriteLine(RepeatedLines.WithCount(line, held, format));
        });
    }
}
