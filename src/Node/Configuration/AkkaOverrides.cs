using System.Globalization;
using Akka.Configuration;

namespace ActorVip.Node.Configuration;

/// <summary>
/// The akka.* settings a config file may set, each with its check. Akka reads its settings only when the actor system
/// starts, after the fence is in the kernel, and a bad one aborts it with a stack trace; and most of Akka's settings
/// (the provider, the loggers, the transport, the serializers, the dispatchers) are how ActorVip works, not knobs.
/// So a config file may set only these (hocon/reference.conf lists them), each checked before anything starts.
/// </summary>
public static class AkkaOverrides
{
    private static readonly string[] LogLevels = ["OFF", "ERROR", "WARNING", "INFO", "DEBUG"];

    /// <summary>The path under akka and the rule its value must follow: null when good, else what is expected.</summary>
    public static readonly IReadOnlyDictionary<string, Func<Config, string, string?>> Supported = new Dictionary<string, Func<Config, string, string?>>
    {
        ["loglevel"] = OneOf(LogLevels),
        ["stdout-loglevel"] = OneOf(LogLevels),
        ["cluster.failure-detector.heartbeat-interval"] = Duration(TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1)),
        ["cluster.failure-detector.acceptable-heartbeat-pause"] = Duration(TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)),
        ["cluster.failure-detector.expected-response-after"] = Duration(TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1)),
        ["cluster.failure-detector.min-std-deviation"] = Duration(TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1)),
        ["cluster.failure-detector.threshold"] = Number(1, 100),
        ["cluster.split-brain-resolver.active-strategy"] = OneOf(["keep-majority", "keep-oldest", "down-all"]),
        ["cluster.split-brain-resolver.stable-after"] = Duration(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
        ["cluster.seed-node-timeout"] = Duration(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
        ["cluster.retry-unsuccessful-join-after"] = Duration(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
        ["cluster.down-removal-margin"] = Duration(TimeSpan.Zero, TimeSpan.FromMinutes(10)),
        ["remote.dot-netty.tcp.maximum-frame-size"] = ByteSize(32_000, 16 * 1024 * 1024),
    };

    /// <summary>Checks every akka.* setting of <paramref name="userConfig"/> (the user's file alone, without reference.conf).</summary>
    public static void Validate(Config userConfig)
    {
        if (!userConfig.HasPath("akka")) return;
        var akka = userConfig.GetConfig("akka");
        foreach (var path in SettingsReader.LeafPaths(akka.Root, ""))
        {
            if (!Supported.TryGetValue(path, out var rule))
                throw new ConfigException($"akka.{path}: not a setting ActorVip lets a config file change (the akka settings it takes are listed in " +
                    "hocon/reference.conf under \"akka settings you may set\")");
            string? problem;
            string text;
            try
            {
                text = akka.GetString(path, "") ?? "";
                problem = rule(akka, path);
            }
            catch (Exception e) when (e is not ConfigException)
            {
                text = "";
                problem = "a single value";
            }
            if (problem is not null)
                throw new ConfigException($"akka.{path}: '{text}' is not valid (expected {problem})");
        }
    }

    private static Func<Config, string, string?> OneOf(string[] values) =>
        (c, path) => values.Contains(c.GetString(path, "")) ? null : $"one of {string.Join(", ", values)}";

    private static Func<Config, string, string?> Duration(TimeSpan min, TimeSpan max) => (c, path) =>
    {
        var expected = $"a duration from {Describe(min)} to {Describe(max)}, e.g. 1s";
        if (SettingsReader.TryDuration(c.GetString(path, ""), out var value)) return value >= min && value <= max ? null : expected;
        return expected;
    };

    private static Func<Config, string, string?> Number(double min, double max) => (c, path) =>
        double.TryParse(c.GetString(path, ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? null
            : $"a number from {min} to {max}";

    private static Func<Config, string, string?> ByteSize(long min, long max) => (c, path) =>
    {
        var expected = $"a size from {min} to {max} bytes, e.g. 128000b";
        try
        {
            return c.GetByteSize(path) is { } v && v >= min && v <= max ? null : expected;
        }
        catch (Exception)
        {
            return expected;
        }
    };

    private static string Describe(TimeSpan t) =>
        t.TotalSeconds >= 60 ? $"{t.TotalMinutes:0} min" : t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0} s" : $"{t.TotalMilliseconds:0} ms";
}
