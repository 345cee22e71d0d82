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

    /// <summary>The largest config file read: a node's settings are a few KiB; /dev/zero or a log file by mistake is not.</summary>
    public const long MaxConfigFileBytes = 1024 * 1024;

    public static Config Compose(string? configFile, IDictionary environment, HoconOverrides flags)
    {
        var config = Reference();
        if (configFile is not null)
        {
            string text;
            try
            {
                text = ActorVip.Node.Text.BoundedFile.ReadText(configFile, MaxConfigFileBytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"cannot read config file '{configFile}': {e.Message} (expected a HOCON file such as hocon/reference.conf)");
            }
            var source = $"config file '{configFile}'";
            HoconSyntax.Check(text, source);
            var file = Parse(text, source);
            AkkaOverrides.Validate(file);
            config = file.WithFallback(config);
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

    /// <summary>One warning line per ACTORVIP_* variable that names no setting (a misspelt name would otherwise do nothing).</summary>
    public static IReadOnlyList<string> UnknownVariableWarnings(IDictionary environment)
    {
        var warnings = new List<string>();
        foreach (var name in environment.Keys.OfType<string>().Where(n => n.StartsWith("ACTORVIP_", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            if (Environment.ContainsKey(name) || IsToolVariable(name)) continue;
            var near = Environment.Keys.MinBy(k => Distance(k, name))!;
            warnings.Add("actorvip: warning: environment variable " +
                $"{(name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_') ? name : Text.QuotedText.Quote(name))} is not an ActorVip setting and is " +
                $"ignored (did you mean {near}? every name is in README.md)");
        }
        return warnings;
    }

    /// <summary>
    /// ACTORVIP_* names that the build, test and lab tools read, not the node: tools/test.sh exports some of them
    /// (ACTORVIP_TEST_IMAGE, ACTORVIP_SIM_SEED) into every process it starts, nodes included, and a node must not
    /// warn about them.
    /// </summary>
    public static bool IsToolVariable(string name) =>
        name.StartsWith("ACTORVIP_TEST_", StringComparison.Ordinal) || name.StartsWith("ACTORVIP_VM_", StringComparison.Ordinal) ||
        name is "ACTORVIP_SIM_SEED" or "ACTORVIP_DEBIAN_MIRROR" or "ACTORVIP_PATH";

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
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
