using System.Text.RegularExpressions;

namespace ActorVip.Node.Hosting;

/// <summary>Whether the kernel has an IPVS scheduler: <see cref="Present"/>, <see cref="Missing"/>, or <see cref="Unknown"/> (nothing to read).</summary>
public enum SchedulerPresence
{
    Present,
    Missing,
    Unknown,
}

/// <summary>
/// Which IPVS schedulers this kernel has. The kernel loads scheduler NAME as module ip_vs_NAME on first use
/// (request_module in ip_vs_sched.c), so a scheduler is there when that module is loaded (/proc/modules), built in
/// (modules.builtin) or installed (modules.dep) for the running kernel. Pure over the files' text; reading them is
/// <see cref="Read"/>. A container without /lib/modules cannot tell: unknown, not missing.
/// </summary>
public static class IpvsSchedulers
{
    public static SchedulerPresence Find(string scheduler, string? procModules, string? modulesDep, string? modulesBuiltin)
    {
        var module = $"ip_vs_{scheduler}";
        if (procModules is not null && procModules.Split('\n').Any(line => line.StartsWith(module + " ", StringComparison.Ordinal)))
            return SchedulerPresence.Present;
        if (modulesDep is null && modulesBuiltin is null) return SchedulerPresence.Unknown;
        // Paths like kernel/net/netfilter/ipvs/ip_vs_rr.ko, compressed ones end in .ko.xz or .ko.zst; modules.dep adds ':'.
        var file = new Regex($@"(^|/){Regex.Escape(module)}\.ko(\.[a-z]+)?(:|$)", RegexOptions.Multiline | RegexOptions.CultureInvariant);
        return file.IsMatch(modulesDep ?? "") || file.IsMatch(modulesBuiltin ?? "") ? SchedulerPresence.Present : SchedulerPresence.Missing;
    }

    /// <summary>Reads /proc/modules and the running kernel's modules.dep and modules.builtin.</summary>
    public static SchedulerPresence Read(string scheduler)
    {
        var release = TryRead("/proc/sys/kernel/osrelease")?.Trim() ?? "";
        var modules = $"/lib/modules/{release}";
        return Find(scheduler, TryRead("/proc/modules"), TryRead(Path.Combine(modules, "modules.dep")), TryRead(Path.Combine(modules, "modules.builtin")));
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
