using System.Diagnostics;
using System.Security.Cryptography;

namespace ActorVip.Kernel.Tests.Lab;

/// <summary>
/// A throwaway network of namespaces on this machine: a "switch" namespace holding a bridge, and
/// hosts attached to it by veth pairs, with TEST-NET addresses. Every name carries a random prefix
/// so that parallel tests and crashed runs never collide; Dispose deletes every namespace it made
/// (deleting a namespace also deletes its veth ends and bridge).
/// </summary>
public sealed class NetnsLab : IDisposable
{
    private readonly List<string> _namespaces = new();
    private readonly List<Process> _processes = new();
    private readonly Dictionary<string, string> _bridgePorts = new();

    public NetnsLab(string purpose = "t")
    {
        if (!Shell.IsRoot) throw new InvalidOperationException("Network namespace tests need root (CI runs as root).");
        Prefix = $"avt{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}{purpose}";
        Switch = AddNamespace("sw");
        Exec(Switch, "ip", "link", "add", "br0", "type", "bridge", "forward_delay", "0");
        Exec(Switch, "ip", "link", "set", "br0", "up");
        Exec(Switch, "ip", "link", "set", "lo", "up");
    }

    /// <summary>Random per-lab prefix; every namespace name starts with it.</summary>
    public string Prefix { get; }

    /// <summary>The namespace holding bridge br0 that every host is attached to.</summary>
    public string Switch { get; }

    /// <summary>
    /// Adds a host namespace with interface eth0 on the bridge; <paramref name="addresses"/> like "192.0.2.11/24".
    /// Returns the namespace name.
    /// </summary>
    public string AddHost(string name, params string[] addresses)
    {
        var ns = AddNamespace(name);
        var hostSide = $"{Prefix}{name}"[..Math.Min(15, Prefix.Length + name.Length)];
        var peer = "p" + hostSide[1..];
        // Make the pair inside the host namespace, then move the peer end into the switch.
        Exec(ns, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", peer);
        _bridgePorts[ns] = peer;
        Exec(ns, "ip", "link", "set", peer, "netns", Switch);
        Exec(Switch, "ip", "link", "set", peer, "master", "br0");
        Exec(Switch, "ip", "link", "set", peer, "up");
        Exec(ns, "ip", "link", "set", "lo", "up");
        Exec(ns, "ip", "link", "set", "eth0", "up");
        foreach (var a in addresses)
            Exec(ns, "ip", "addr", "add", a, "dev", "eth0", a.Contains(':') ? "nodad" : "noprefixroute").ThrowIfFailed("ip addr add");
        // noprefixroute above keeps IPv4 routes explicit; add the subnet route ourselves.
        foreach (var a in addresses.Where(a => !a.Contains(':')))
            Exec(ns, "ip", "route", "replace", Subnet(a), "dev", "eth0");
        return ns;
    }

    /// <summary>The name, in the switch namespace, of the bridge port that a host namespace hangs on.</summary>
    public string BridgePort(string hostNamespace) => _bridgePorts[hostNamespace];

    public string AddNamespace(string name)
    {
        var ns = $"{Prefix}-{name}";
        Shell.Run("ip", "netns", "add", ns).ThrowIfFailed($"ip netns add {ns}");
        _namespaces.Add(ns);
        return ns;
    }

    /// <summary>Runs a command inside a namespace (ip netns exec).</summary>
    public Shell.Result Exec(string ns, params string[] command) =>
        Shell.Run("ip", new[] { "netns", "exec", ns }.Concat(command).ToArray(), TimeSpan.FromSeconds(60));

    public string Sh(string ns, string script) =>
        Exec(ns, "sh", "-c", script).ThrowIfFailed($"[{ns}] {script}").Stdout;

    /// <summary>Starts a long-running command inside a namespace; it is killed on Dispose.</summary>
    public Process Start(string ns, params string[] command)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns }.Concat(command)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {string.Join(' ', command)}.");
        _processes.Add(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(5000); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        foreach (var ns in Enumerable.Reverse(_namespaces))
            Shell.Run("ip", "netns", "del", ns);
    }

    private static string Subnet(string cidr)
    {
        var parts = cidr.Split('/');
        var bytes = System.Net.IPAddress.Parse(parts[0]).GetAddressBytes();
        var prefix = int.Parse(parts[1]);
        for (var i = 0; i < 4; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return $"{new System.Net.IPAddress(bytes)}/{prefix}";
    }
}
