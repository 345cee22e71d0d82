using ActorVip.Node.Configuration;

namespace ActorVip.Node.Cli;

/// <summary>
/// What SIGHUP does: reads the configuration again and decides what of it a running node applies (<see cref="ReloadPlan"/>: the VIP
/// list), in one line. An invalid or unreadable file is that one line and nothing else: the running configuration stays in force.
/// `actorvip reload` reads it the same way (<see cref="Read"/>) before it signals the node, so that both refuse the same files.
/// </summary>
public static class ReloadCheck
{
    /// <param name="vipsConfig">The configuration the running VIP list was last read from (the start's, or the last reload's).</param>
    /// <param name="host">What the host says of the added and changed VIPs (<see cref="ReloadPlan.Of"/>).</param>
    /// <returns>The line to log, and the plan to apply with the configuration read (null when the file is invalid or could not be read).</returns>
    public static (string Line, ReloadPlan? Plan, Akka.Configuration.Config? Read) Check(NodeSettings running, Akka.Configuration.Config config,
        Akka.Configuration.Config vipsConfig, Func<(NodeSettings Settings, Akka.Configuration.Config Config)> reread, ReloadHost host)
    {
        var (refusal, next) = Read(reread);
        if (next is not { } read) return (refusal!, null, null);
        var plan = ReloadPlan.Of(running, config, read.Settings, read.Config, vipsConfig, host);
        return (plan.Describe(), plan, read.Config);
    }

    /// <summary>Reads and validates the configuration again.</summary>
    /// <returns>What was read, or (null) the one line that refuses it: the file is invalid, or could not be read.</returns>
    public static (string? Refusal, (NodeSettings Settings, Akka.Configuration.Config Config)? Read) Read(
        Func<(NodeSettings Settings, Akka.Configuration.Config Config)> reread)
    {
        try
        {
            return (null, reread());
        }
        catch (ConfigException e)
        {
            return ($"actorvip: reload: the configuration is not valid, the running one stays in force: {ConfigSources.FirstLine(e.Message)}", null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Akka.Configuration.ConfigurationException)
        {
            return ($"actorvip: reload: the configuration could not be read, the running one stays in force: {ConfigSources.FirstLine(e.Message)}", null);
        }
    }
}
