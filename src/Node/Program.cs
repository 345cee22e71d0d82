using System.CommandLine;
using ActorVip.Node.Cli;
using ActorVip.Node.Configuration;

namespace ActorVip.Node;

public static class Program
{
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static int Main(string[] args)
    {
        // Socket completions run on the socket engine's own thread instead of being handed to a pool thread: one
        // thread wake-up less for every message a node receives (docs/BENCHMARKS.md, idle CPU). Read by .NET once,
        // when the first socket is made, so it must be set before that; an operator's own setting wins.
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");

        var root = new RootCommand("ActorVip: virtual IPs and IPVS load balancing for bare-metal clusters, without the Kubernetes API");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ReloadCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(IpvsCommand.Create());
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(CleanupCommand.Create());
        root.Subcommands.Add(ManifestCommand.Create());
        return Invoke(root, args, Console.Error);
    }

    /// <summary>Parses and runs a command line: a parse error or an invalid configuration is one line on <paramref name="errors"/> and exit 2.</summary>
    internal static int Invoke(RootCommand root, string[] args, TextWriter errors)
    {
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            errors.WriteLine($"actorvip: {OneLine(FirstError(result))} (see actorvip --help)");
            return ExitCodes.BadInput;
        }
        try
        {
            return result.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
        }
        catch (ConfigException e)
        {
            errors.WriteLine($"actorvip: {OneLine(e.Message)}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>
    /// The parse error to show: System.CommandLine lists "Required command was not provided" first for an unknown
    /// command, though the unknown word is the mistake.
    /// </summary>
    public static string FirstError(ParseResult result) =>
        (result.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal)) ?? result.Errors[0]).Message;

    /// <summary>A message as one line: a value with a newline or an escape sequence in it is shown escaped, never acted on by the terminal.</summary>
    public static string OneLine(string message)
    {
        if (!message.Any(char.IsControl)) return message;
        var b = new System.Text.StringBuilder(message.Length + 8);
        foreach (var c in message)
        {
            if (c == '\n') b.Append("\\n");
            else if (char.IsControl(c)) b.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else b.Append(c);
        }
        return b.ToString();
    }
}
