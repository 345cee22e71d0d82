using ActorVip.Node.Configuration;

namespace ActorVip.Node.Cli;

/// <summary>
/// What SIGHUP does today: reads the configuration again and says, in one line, whether it is valid and whether it
/// differs from the running one. Nothing is applied: a node changes its VIPs, services or timings only when restarted
/// (live reconfiguration is issue 14 §5), and an invalid file never replaces the running configuration.
/// </summary>
public static class ReloadCheck
{
    public static string Describe(Akka.Configuration.Config running, Func<Akka.Configuration.Config> reread)
    {
        Akka.Configuration.Config next;
        try
        {
            next = reread();
        }
        catch (ConfigException e)
        {
            return $"actorvip: reload: the configuration is not valid, the running one stays in force: {ConfigSources.FirstLine(e.Message)}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Akka.Configuration.ConfigurationException)
        {
            return $"actorvip: reload: the configuration could not be read, the running one stays in force: {ConfigSources.FirstLine(e.Message)}";
        }
        return Section(next) == Section(running)
            ? "actorvip: reload: the configuration is unchanged"
            : "actorvip: reload: the configuration changed and is valid, but a running node does not apply changes yet; restart it to apply them " +
                "(systemctl restart actorvip, one master at a time)";
    }

    private static string Section(Akka.Configuration.Config config) => config.GetValue("actorvip")?.ToString() ?? "";
}
