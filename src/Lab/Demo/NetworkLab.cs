using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ActorVip.Lab.Demo;

/// <summary>
/// A throwaway network of namespaces on this machine: a "switch" namespace holding bridge br0, and
/// hosts attached to it by veth pairs, with TEST-NET addresses. Every name carries a random prefix
/// so that parallel runs and crashed runs never collide. Dispose (also run on Ctrl-C / SIGTERM when
/// asked, and at process exit) kills every process started here and deletes every namespace, which
/// deletes their veth ends, the bridge and any nftables table inside.
/// </summary>
public sealed class NetworkLab : IDisposable
{
    private readonly List<string> _namespaces = new();
    private readonly List<LabProcess> _processes = new();
    private readonly Dictionary<string, string> _bridgePorts = new();
    private readonly List<PosixSignalRegistration> _signals = new();
    private readonly CancellationTokenSource _interrupted = new();
    private readonly object _gate = new();
    private int _disposed;
    private int _extraPorts;

    /// <param name="purpose">A few letters in every name, to tell labs apart in `ip netns list`.</param>
    /// <param name="cleanUpOnSignal">Ctrl-C / SIGTERM cancel <see cref="Interrupted"/>; if the owner does not dispose within 10 s, the handler does
    /// and exits.</param>
    public NetworkLab(string purpose = "t", bool cleanUpOnSignal = false)
    {
        if (!HostCommand.IsRoot) throw new InvalidOperationException("The network lab needs root (it creates network namespaces); run it with sudo.");
        Prefix = $"av{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}{purpose}";
        TempDirectory = Directory.CreateTempSubdirectory($"{Prefix}-").FullName;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        if (cleanUpOnSignal)
        {
            _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
            _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        }
        try
        {
            Switch = AddNamespace("sw");
            Exec(Switch, "ip", "link", "add", "br0", "type", "bridge", "forward_delay", "0").ThrowIfFailed("ip link add br0");
            Exec(Switch, "ip", "link", "set", "br0", "up").ThrowIfFailed("ip link set br0 up");
            Exec(Switch, "ip", "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Random per-lab prefix; every namespace name starts with it.</summary>
    public string Prefix { get; }

    /// <summary>The namespace holding bridge br0 that every host is attached to.</summary>
    public string Switch { get; } = "";

    /// <summary>Where the processes' logs and configuration files go; deleted on Dispose unless kept.</summary>
    public string TempDirectory { get; }

    /// <summary>Cancelled on Ctrl-C or SIGTERM (when the lab handles signals).</summary>
    public CancellationToken Interrupted => _interrupted.Token;

    /// <summary>Leave everything in place on Dispose (for exploration); <see cref="DeleteCommand"/> says how to remove it.</summary>
    public bool Keep { get; set; }

    public IReadOnlyList<string> Namespaces { get { lock (_gate) return _namespaces.ToList(); } }

    /// <summary>A shell line that deletes what this lab made, for --keep.</summary>
    public string DeleteCommand
    {
        get
        {
            List<LabProcess> live;
            lock (_gate) live = _processes.Where(p => !p.HasExited).ToList();
            var kill = live.Count > 0 ? $"kill {string.Join(' ', live.Select(p => p.Pid))}; " : "";
            return kill + string.Join("; ", Namespaces.AsEnumerable().Reverse().Select(ns => $"ip netns del {ns}")) + $"; rm -rf {TempDirectory}";
        }
    }

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
        Exec(ns, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", peer).ThrowIfFailed("ip link add veth");
        lock (_gate) _bridgePorts[ns] = peer;
        Exec(ns, "ip", "link", "set", peer, "netns", Switch).ThrowIfFailed("ip link set netns");
        Exec(Switch, "ip", "link", "set", peer, "master", "br0").ThrowIfFailed("ip link set master br0");
        Exec(Switch, "ip", "link", "set", peer, "up").ThrowIfFailed("ip link set up");
        Exec(ns, "ip", "link", "set", "lo", "up");
        Exec(ns, "ip", "link", "set", "eth0", "up").ThrowIfFailed("ip link set eth0 up");
        foreach (var a in addresses)
            Exec(ns, "ip", "addr", "add", a, "dev", "eth0", a.Contains(':') ? "nodad" : "noprefixroute").ThrowIfFailed("ip addr add");
        // noprefixroute above keeps IPv4 routes explicit; add the subnet route ourselves.
        foreach (var a in addresses.Where(a => !a.Contains(':')))
            Exec(ns, "ip", "route", "replace", Subnet(a), "dev", "eth0").ThrowIfFailed("ip route replace");
        return ns;
    }

    /// <summary>Adds another bridge in the switch namespace: a network of its own beside br0 (a second VIP network, say).</summary>
    public void AddBridge(string bridge)
    {
        Exec(Switch, "ip", "link", "add", bridge, "type", "bridge", "forward_delay", "0").ThrowIfFailed($"ip link add {bridge}");
        Exec(Switch, "ip", "link", "set", bridge, "up").ThrowIfFailed($"ip link set {bridge} up");
    }

    /// <summary>
    /// Adds interface <paramref name="device"/> to namespace <paramref name="ns"/> (a host's second interface, or a client's only one),
    /// a veth whose other end is a port of <paramref name="bridge"/> (see <see cref="AddBridge"/>), up, with
    /// <paramref name="addresses"/> like "198.51.100.11/24" and their subnet routes.
    /// </summary>
    public void AddInterface(string ns, string device, string bridge, params string[] addresses)
    {
        // A counter first, so that names cut to 15 characters stay distinct; deleted with the switch namespace.
        var port = $"x{Interlocked.Increment(ref _extraPorts)}{Prefix[2..]}";
        port = port[..Math.Min(15, port.Length)];
        Exec(ns, "ip", "link", "add", device, "type", "veth", "peer", "name", port).ThrowIfFailed("ip link add veth");
        Exec(ns, "ip", "link", "set", port, "netns", Switch).ThrowIfFailed("ip link set netns");
        Exec(Switch, "ip", "link", "set", port, "master", bridge).ThrowIfFailed($"ip link set master {bridge}");
        Exec(Switch, "ip", "link", "set", port, "up").ThrowIfFailed("ip link set port up");
        foreach (var a in addresses)
            Exec(ns, ["ip", "addr", "add", a, "dev", device, .. a.Contains(':') ? new[] { "nodad" } : []]).ThrowIfFailed("ip addr add");
        Exec(ns, "ip", "link", "set", device, "up").ThrowIfFailed("ip link set up");
    }

    /// <summary>The name, in the switch namespace, of the bridge port that a host namespace hangs on.</summary>
    public string BridgePort(string hostNamespace) { lock (_gate) return _bridgePorts[hostNamespace]; }

    /// <summary>Cuts (or restores) a host's cable: its bridge port goes down in the switch.</summary>
    public void SetLink(string hostNamespace, bool up) => SetLinks([hostNamespace], up);

    /// <summary>
    /// Cuts (or restores) several hosts' cables at one moment, as a rack losing power does: one `ip -batch`, so the ports go
    /// down microseconds apart. One `ip` per port put the spawn of a process between them (50-100 ms on a loaded machine): a
    /// rack crash then left the allocator alive and renewing after its owner was gone, and the benchmark counted that gap.
    /// </summary>
    public void SetLinks(IReadOnlyCollection<string> hostNamespaces, bool up)
    {
        var batch = Path.Combine(TempDirectory, $"links-{Guid.NewGuid():N}.batch");
        File.WriteAllLines(batch, hostNamespaces.Select(ns => $"link set {BridgePort(ns)} {(up ? "up" : "down")}"));
        try { Exec(Switch, "ip", "-batch", batch).ThrowIfFailed("ip link set bridge ports"); }
        finally { File.Delete(batch); }
    }

    /// <summary>The MAC address of a host's eth0.</summary>
    public string Mac(string ns, string device = "eth0") =>
        Exec(ns, "cat", $"/sys/class/net/{device}/address").ThrowIfFailed($"reading the MAC of {device} in {ns}").Stdout.Trim();

    public string AddNamespace(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var ns = $"{Prefix}-{name}";
        HostCommand.Run("ip", "netns", "add", ns).ThrowIfFailed($"ip netns add {ns}");
        lock (_gate) _namespaces.Add(ns);
        return ns;
    }

    /// <summary>Runs a command inside a namespace (ip netns exec) to completion.</summary>
    public HostCommand.Result Exec(string ns, params string[] command) =>
        HostCommand.Run("ip", new[] { "netns", "exec", ns }.Concat(command).ToArray(), TimeSpan.FromSeconds(60));

    /// <summary>The processes running in a namespace (`ip netns pids`): what the lab started there and what those started.</summary>
    public IReadOnlyList<int> Pids(string ns) =>
        HostCommand.Run("ip", "netns", "pids", ns).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

    public string Sh(string ns, string script) =>
        Exec(ns, "sh", "-c", script).ThrowIfFailed($"[{ns}] {script}").Stdout;

    /// <summary>Starts a long-running command inside a namespace, logging to a file named <paramref name="logName"/> in the temp directory; killed on
    /// Dispose.</summary>
    public LabProcess StartLogged(string ns, string logName, params string[] command)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var process = LabProcess.Start(ns, command, Path.Combine(TempDirectory, logName));
        lock (_gate) _processes.Add(process);
        return process;
    }

    /// <summary>Starts a command inside a namespace with a log named after it.</summary>
    public LabProcess Start(string ns, params string[] command) => StartLogged(ns, $"{ns}-{Path.GetFileName(command[0])}-{Guid.NewGuid():N}.log", command);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var s in _signals) s.Dispose();
        if (Keep) return;
        List<LabProcess> processes;
        List<string> namespaces;
        lock (_gate)
        {
            processes = _processes.ToList();
            namespaces = _namespaces.AsEnumerable().Reverse().ToList();
        }
        foreach (var p in processes) p.Dispose();
        foreach (var ns in namespaces)
        {
            // What the lab's processes left behind (a child that outlived its parent): deleting the namespace would not end it.
            foreach (var pid in Pids(ns)) Tmds.Linux.LibC.kill(pid, Tmds.Linux.LibC.SIGKILL);
            HostCommand.Run("ip", "netns", "del", ns);
        }
        try { Directory.Delete(TempDirectory, recursive: true); } catch (IOException) { }
    }

    /// <summary>Copies every process's log (the *.log files of <see cref="TempDirectory"/>) into <paramref name="directory"/>.</summary>
    public void CopyLogsTo(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.EnumerateFiles(TempDirectory, "*.log")) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), true);
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (_interrupted.IsCancellationRequested) return;
        _interrupted.Cancel();
        // The owner unwinds and disposes; should it hang, clean up from here and leave.
        Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            if (_disposed != 0) return;
            Console.Error.WriteLine("actorvip-lab: interrupted; deleting the lab");
            Dispose();
            Environment.Exit(130);
        });
    }

    private static string Subnet(string cidr)
    {
        var parts = cidr.Split('/');
        var bytes = IPAddress.Parse(parts[0]).GetAddressBytes();
        var prefix = int.Parse(parts[1]);
        for (var i = 0; i < 4; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return $"{new IPAddress(bytes)}/{prefix}";
    }
}
