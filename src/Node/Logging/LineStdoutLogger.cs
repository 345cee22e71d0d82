using Akka.Event;

namespace ActorVip.Node.Logging;

/// <summary>
/// Akka's logger for the moments before the loggers start and after they stop (akka.stdout-logger-class):
/// the same one-line format as <see cref="LineLogger"/>, which sets <see cref="Format"/> when it starts.
/// </summary>
public sealed class LineStdoutLogger : MinimalLogger
{
    public const string TypeName = "ActorVip.Node.Logging.LineStdoutLogger, actorvip";

    public static LogFormat Format { get; set; } = LogFormat.Logfmt;

    protected override void Log(object message)
    {
        if (message is LogEvent e) Console.Out.WriteLine(LogLine.Format(e, Format));
    }
}
