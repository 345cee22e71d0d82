using System.Collections;
using Akka.Configuration;

namespace ActorVip.Node.Configuration;

/// <summary>
/// Composes the configuration: reference.conf, then --config FILE, then environment variables
/// (kube-vip's names, then ACTORVIP_*), then command-line flags; a later source wins.
/// </summary>
public static class ConfigSources
{
    /// <summary>Environment variables and the settings they set; lists are comma-separated.</summary>
    public static readonly IReadOnlyDictionary<string, (string Path, bool IsList)> Environment = new Dictionary<string, (string, bool)>
    {
        ["ACTORVIP_INTERFACE"] = ("actorvip.interface", false),
        ["ACTORVIP_ADDRESS"] = ("actorvip.addresses", true),
        ["ACTORVIP_NODE_ADDRESS"] = ("actorvip.node-address", false),
        ["ACTORVIP_SEEDS"] = ("actorvip.seeds", true),
        ["ACTORVIP_NODES"] = ("actorvip.nodes", false),
        ["ACTORVIP_LB_ENABLE"] = ("actorvip.lb.enabled", false),
        ["ACTORVIP_LB_PORT"] = ("actorvip.lb.port", false),
        ["ACTORVIP_LB_FWDMETHOD"] = ("actorvip.lb.fwdmethod", false),
        ["ACTORVIP_METRICS_ADDRESS"] = ("actorvip.metrics-address", false),
        ["ACTORVIP_LB_BACKENDS"] = ("actorvip.lb.backends", true),
        ["ACTORVIP_LB_MEMBER_BACKENDS"] = ("actorvip.lb.member-backends", false),
        ["ACTORVIP_TLS_ENABLED"] = ("actorvip.tls.enabled", false),
        ["ACTORVIP_TLS_CERTIFICATE"] = ("actorvip.tls.certificate", false),
        ["ACTORVIP_TLS_KEY"] = ("actorvip.tls.key", false),
        ["ACTORVIP_TLS_PASSWORD"] = ("actorvip.tls.password", false),
        ["ACTORVIP_TLS_CA"] = ("actorvip.tls.ca", false),
        ["ACTORVIP_LOG_FORMAT"] = ("actorvip.log-format", false),
    };

    public static Config Reference()
    {
        using var stream = typeof(ConfigSources).Assembly.GetManifestResourceStream("reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in this build.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    public static Config Compose(string? configFile, IDictionary environment, HoconOverrides flags)
    {
        var config = Reference();
        if (configFile is not null)
        {
            string text;
            try
            {
                text = File.ReadAllText(configFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"cannot read config file '{configFile}': {e.Message}");
            }
            config = Parse(text, $"config file '{configFile}'").WithFallback(config);
        }
        var fromEnvironment = FromEnvironment(environment);
        if (!fromEnvironment.IsEmpty) config = Parse(fromEnvironment.ToString(), "environment").WithFallback(config);
        if (!flags.IsEmpty) config = Parse(flags.ToString(), "command line").WithFallback(config);
        return config;
    }

    public static HoconOverrides FromEnvironment(IDictionary environment)
    {
        var overrides = new HoconOverrides();
        // kube-vip's names first: within one HOCON text a later line wins, so ACTORVIP_* override them.
        KubeVipEnvironment.AddOverrides(environment, overrides);
        foreach (var (name, (path, isList)) in Environment)
        {
            if (environment[name] is not string value || value.Length == 0) continue;
            if (isList) overrides.SetList(path, value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            else overrides.Set(path, value);
        }
        return overrides;
    }

    private static Config Parse(string text, string source)
    {
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e)
        {
            throw new ConfigException($"{source} is not valid HOCON: {FirstLine(e.Message)}");
        }
    }

    internal static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? "(no detail)" : line;
    }
}
