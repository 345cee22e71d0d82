namespace ActorVip.Node.Linux;

/// <summary>
/// Reads and writes kernel parameters under /proc/sys. Keys as sysctl(8) takes them: "net.ipv4.ip_forward"
/// (dots separate, a slash stands for a dot inside a name, e.g. net.ipv4.conf.eth0/100.arp_ignore) or
/// "net/ipv4/ip_forward". Network keys apply to the network namespace of the calling process.
/// </summary>
public static class Sysctl
{
    public static string Root { get; set; } = "/proc/sys";

    public static string Read(string key)
    {
        var path = PathOf(key);
        try
        {
            return File.ReadAllText(path).TrimEnd('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Missing(key, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Reading sysctl {Dotted(key)} was denied: run as root.", e);
        }
    }

    public static void Write(string key, string value)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) throw Missing(key, null);
        try
        {
            File.WriteAllText(path, value);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Writing sysctl {Dotted(key)}={value} was denied: run as root (in a container, /proc/sys must be writable: give it its " +
                "own network namespace with CAP_NET_ADMIN).", e);
        }
        catch (IOException e) when (e.HResult == 30 /* EROFS */ || e.Message.Contains("Read-only", StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException($"Writing sysctl {Dotted(key)}={value} failed: /proc/sys is read-only here; set it on the host or run " +
                "with a writable /proc/sys.", e);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"Writing sysctl {Dotted(key)}={value} failed: the kernel rejected the value ({e.Message.TrimEnd('.')}).", e);
        }
    }

    /// <summary>The file under <see cref="Root"/> for a key in dotted or slashed form.</summary>
    public static string PathOf(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Contains("..") || key.StartsWith('/') || key.StartsWith('.'))
            throw new ArgumentException($"'{key}' is not a sysctl key (expected e.g. net.ipv4.ip_forward).", nameof(key));
        return Path.Combine(Root, Slashed(key));
    }

    // sysctl(8): if the first separator is a slash, slashes separate; otherwise dots separate and slashes are dots.
    private static string Slashed(string key)
    {
        var dot = key.IndexOf('.');
        var slash = key.IndexOf('/');
        if (slash >= 0 && (dot < 0 || slash < dot)) return key;
        return string.Create(key.Length, key, (span, k) =>
        {
            for (var i = 0; i < k.Length; i++) span[i] = k[i] switch { '.' => '/', '/' => '.', var c => c };
        });
    }

    private static string Dotted(string key) => Slashed(key).Replace('.', '\u0001').Replace('/', '.').Replace('\u0001', '/');

    private static IOException Missing(string key, Exception? inner)
    {
        var dotted = Dotted(key);
        var parts = dotted.Split('.');
        var hint = dotted switch
        {
            _ when dotted.StartsWith("net.ipv4.vs.") => "is module ip_vs loaded (modprobe ip_vs)?",
            _ when dotted.StartsWith("net.netfilter.") || dotted.StartsWith("net.nf_conntrack") => "is module nf_conntrack loaded (modprobe nf_conntrack)?",
            _ when parts.Length > 4 && parts[1] is "ipv4" or "ipv6" && parts[2] is "conf" or "neigh" => $"does interface {parts[3]} exist?",
            _ when dotted.StartsWith("net.ipv6.") => "is IPv6 enabled (module ipv6, ipv6.disable=0 on the kernel command line)?",
            _ when dotted.StartsWith("net.bridge.") => "is module br_netfilter loaded (modprobe br_netfilter)?",
            _ => "is the kernel module that provides it loaded?",
        };
        return new IOException($"The kernel has no sysctl {dotted}: {hint}", inner);
    }
}
