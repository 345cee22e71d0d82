using System.CommandLine;
using System.Runtime.InteropServices;
using ActorVip.Node.Cleanup;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Hosting;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Ipvs;
using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Nftables;
using ActorVip.Node.Linux.Packet;
using ActorVip.Node.Linux.Rtnetlink;
using ActorVip.Node.LoadBalancing;
using ActorVip.Node.Observability;
using ActorVip.Node.Security;
using ActorVip.Ownership;

namespace ActorVip.Node.Cli;

/// <summary>`actorvip run`: one node of the cluster, holding the VIPs it is placed and granted.</summary>
public static class RunCommand
{
    /// <summary>
    /// The type name of Akka.Remote's (internal) shutdown reason after an outbound TLS handshake failed: the only handle on
    /// it, so ClusterTlsTests checks that Akka still uses it (docs/AKKA-UPGRADE.md).
    /// </summary>
    public const string TlsHandshakeFailureReason = "TlsHandshakeFailureReason";

    public static Command Create()
    {
        var options = new NodeOptions();
        var command = new Command("run", "Run a node: join the cluster and hold the VIPs placed on it while a majority grants the lease");
        options.AddTo(command);
        command.SetAction(result =>
        {
            var (settings, config) = options.Load(result);
            var environment = Environment.GetEnvironmentVariables();
            foreach (var warning in KubeVipEnvironment.Warnings(environment).Concat(ConfigSources.UnknownVariableWarnings(environment)))
                Console.Error.WriteLine(warning);
            if (settings.Vips.Count == 0)
            {
                Console.Error.WriteLine("actorvip: address: none given (expected at least one --address VIP[/PREFIX])");
                return ExitCodes.BadInput;
            }
            // A scheduler the kernel lacks would fail every IPVS apply, retried forever: a host problem, before the kernel is touched.
            if (HostCheck.MissingScheduler(settings) is { } missing)
            {
                Console.Error.WriteLine($"actorvip: {missing}");
                return ExitCodes.Failure;
            }
            // Before anything touches the kernel: a bad certificate is a ConfigException (exit 2).
            var certificates = settings.TransportSecurity.Enabled ? ClusterCertificates.Load(settings.TransportSecurity) : null;
            try
            {
                var code = Run(settings, config, certificates, () => options.Load(result));
                // Everything is released by now; the runtime's exit handlers (Akka's transport) would hold the exit up by seconds.
                Console.Out.Flush();
                Console.Error.Flush();
                Tmds.Linux.LibC._exit(code);
                return code;
            }
            catch (Exception e) when (e is NetlinkException or PacketException or IOException or IpvsException)
            {
                Console.Error.WriteLine($"actorvip: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    /// <param name="reread">Reads the configuration again (file, environment, flags), validating it: SIGHUP's check.</param>
    private static int Run(NodeSettings settings, Akka.Configuration.Config config, ClusterCertificates? certificates,
        Func<(NodeSettings Settings, Akka.Configuration.Config Config)> reread)
    {
        // The configuration the running VIP list was read from: the start's, then each reload's that changed it.
        var vipsConfig = config;
        // First: a port in use stops the start before anything touched the kernel (docs/OBSERVABILITY.md).
        using var listener = MetricsAddress.Listen(settings.MetricsAddress);
        Listening.CheckNodeAddress(settings.NodeAddress);
        using var drivers = LinuxDrivers.Open(settings);
        // Every interface a VIP lives on (the node's, and each VIP's own): one missing is a host problem, before anything is applied.
        var links = new List<InterfaceInfo>();
        foreach (var name in settings.VipInterfaces)
        {
            if (drivers.Set.Links.Find(name) is { } found)
            {
                links.Add(found);
                continue;
            }
            Console.Error.WriteLine($"actorvip: {MissingInterface(settings, name)}");
            return ExitCodes.Failure;
        }
        IReadOnlyList<InterfaceAddress> present;
        using (var listing = new RtnetlinkAddresses()) present = listing.List().Where(a => settings.Vips.Any(v => v.Address.Equals(a.Address))).ToList();
        // The host's own address given as a VIP: removing the "stale copy" would cut the host off, and holding it would
        // replace it with a deprecated one that vanishes at release.
        if (HostsOwn(present, settings.Vips.Select(v => v.Vip), links) is { } foreign)
        {
            Console.Error.WriteLine($"actorvip: address: {foreign}");
            return ExitCodes.BadInput;
        }
        // On every VIP interface, not only the VIP's own: a VIP moved to another interface left its copy on the old one.
        foreach (var copy in present)
        {
            if (links.FirstOrDefault(l => l.Index == copy.InterfaceIndex) is not { } on) continue;
            // Left by an earlier run that was killed: we hold nothing until the cluster grants it.
            var vip = new VipAddress(copy.Address, copy.PrefixLength);
            drivers.Set.Addresses.Remove(on, vip);
            Console.WriteLine($"actorvip: removed a stale copy of {vip} from {on.Name} left by an earlier run");
        }
        // Before the fence: a kernel without IPVS fails here and leaves nothing behind.
        RemoveStaleLoadBalancing(drivers.Set, settings, atStart: true);
        drivers.Set.Fence?.Install(settings.Vips.Select(v => v.Address).ToList());
        // Once, at start: the node runs on, with the fence's other tables (docs/DESIGN-NOTES.md, "Kernel fence").
        if (drivers.Set.Fence is KernelFence { EgressWarning: { } noEgress }) Console.Error.WriteLine($"actorvip: warning: {noEgress}");

        using var stop = new ManualResetEventSlim();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
        // The other signals a daemon meets must not kill it with their default action, which left the address and the
        // fence behind: SIGQUIT stops gracefully like SIGTERM, SIGHUP (a closed terminal, `systemctl reload`) checks the
        // configuration again, SIGUSR1 and SIGUSR2 are logged and ignored.
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => { c.Cancel = true; stop.Set(); });
        using var hangup = new AutoResetEvent(false);
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; hangup.Set(); });
        using var usr1 = PosixSignalRegistration.Create((PosixSignal)Tmds.Linux.LibC.SIGUSR1, c =>
        {
            c.Cancel = true;
            Console.Error.WriteLine("actorvip: SIGUSR1 ignored (it has no meaning for actorvip)");
        });
        using var usr2 = PosixSignalRegistration.Create((PosixSignal)Tmds.Linux.LibC.SIGUSR2, c =>
        {
            c.Cancel = true;
            Console.Error.WriteLine("actorvip: SIGUSR2 ignored (it has no meaning for actorvip)");
        });

        // Only for a node that really starts: an error above stays the one line it should be.
        if (PlaintextWarning.For(settings) is { } plaintext) Console.Error.WriteLine(plaintext);
        if (VoterCountWarning.For(settings.Nodes) is { } even) Console.Error.WriteLine(even);
        using var notifier = ServiceNotifier.FromEnvironment();
        NodeRuntime runtime;
        try
        {
            runtime = NodeRuntime.Start(settings, config, links, drivers.Set, MonotonicClock.Instance,
                transportSecurity: certificates is null ? null : PeerTrust.Setup(certificates));
        }
        catch (Exception e)
        {
            // Every setting was checked before, so this is the host (a port taken since, memory). Nothing was owned; the fence
            // stays installed owning nothing (ExitSilence), as on every exit after it was installed.
            foreach (var error in ExitSilence.Silence(drivers.Set, links, settings)) Console.Error.WriteLine(error);
            RemoveStaleLoadBalancing(drivers.Set, settings, atStart: false);
            Console.Error.WriteLine($"actorvip: the node could not start: {e.GetType().Name}: {ConfigSources.FirstLine(e.Message)}");
            return ExitCodes.Failure;
        }
        using var service = SystemdService.Attach(runtime, notifier);
        var reloads = new ReloadHistory();
        using var endpoints = NodeEndpoints.Start(runtime, settings, listener, reloads);
        // Every 30 s, not every minute: tiered compilation frees its start-up memory for about a minute, and a single node measured
        // 81.9 MB at 47-62 s this way against 86.2 MB (the same 79 MB from 77 s on); a trim costs well under a millisecond.
        using var trim = MemoryTrim.Start(first: TimeSpan.FromSeconds(15), every: TimeSpan.FromSeconds(30));
        var placedOn = string.Join(", ", settings.Vips.Select(v => $"{v} on {settings.InterfaceOf(v)}"));
        Console.WriteLine($"actorvip: node {runtime.Self} started; vips {placedOn}; voters {settings.Nodes}");
        var rejoins = new RejoinPolicy();
        while (true)
        {
            var terminated = runtime.System.WhenTerminated;
            if (WaitHandle.WaitAny([stop.WaitHandle, ((IAsyncResult)terminated).AsyncWaitHandle, hangup]) == 2)
            {
                (settings, vipsConfig) = Reload(runtime, service, endpoints, reloads, settings, config, vipsConfig, reread, drivers, links);
                continue;
            }
            if (!terminated.IsCompleted) break;
            // Downed or shut down by the cluster: the VIPs went with the actors, and are silenced again here, with the fence
            // left installed owning nothing (ExitSilence).
            foreach (var error in ExitSilence.Silence(drivers.Set, links, settings)) Console.Error.WriteLine(error);
            RemoveStaleLoadBalancing(drivers.Set, settings, atStart: false);
            var reason = Akka.Actor.CoordinatedShutdown.Get(runtime.System).ShutdownReason;
            if (reason?.GetType().Name == TlsHandshakeFailureReason)
            {
                Console.Error.WriteLine($"actorvip: tls: {reason} (a peer's certificate is not signed by the cluster CA, or it refused ours; Akka stops a " +
                    "node whose outbound TLS handshake fails); exiting so that the service manager restarts it; see docs/SECURITY.md");
                return ExitCodes.Failure;
            }
            // Removed by the split brain resolver (say after a one-way link failure it downs both ends): with three nodes the
            // one left is no majority, and a process restart would leave the VIP dark for seconds, its voter quiet for a
            // promise-time more. A new actor system in this process keeps this node's votes and answers at once.
            if (reason is not Akka.Actor.CoordinatedShutdown.ClusterDowningReason || !rejoins.MayRejoin(DateTime.UtcNow))
            {
                Console.Error.WriteLine("actorvip: the actor system stopped (this node was removed from the cluster" +
                    (reason is Akka.Actor.CoordinatedShutdown.ClusterDowningReason ? $" {RejoinPolicy.MaxRejoins + 1} times within " +
                        $"{RejoinPolicy.Window.TotalSeconds:0} s" : "") + "); exiting so that the service manager restarts it");
                return ExitCodes.Failure;
            }
            Console.Error.WriteLine("actorvip: this node was removed from the cluster (downed); joining again at once as a new incarnation that keeps " +
                "its voter's promises");
            try
            {
                runtime = NodeRuntime.Start(settings, config, links, drivers.Set, MonotonicClock.Instance,
                    transportSecurity: certificates is null ? null : PeerTrust.Setup(certificates), keptVotes: runtime.Votes);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"actorvip: the node could not join again: {e.GetType().Name}: {ConfigSources.FirstLine(e.Message)}; exiting so that " +
                    "the service manager restarts it");
                return ExitCodes.Failure;
            }
            service.Follow(runtime);
            endpoints.Follow(runtime);
            Console.WriteLine($"actorvip: node {runtime.Self} started again (rejoin {rejoins.Count})");
        }
        service.Stopping();
        runtime.StopAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(300)).GetAwaiter().GetResult();
        // The VIPs were released by their actors; silenced again here, and the fence stays installed owning nothing: a
        // removal that failed, or an address added again by anyone, must not make this node answer after it stopped.
        var errors = ExitSilence.Silence(drivers.Set, links, settings);
        foreach (var error in errors) Console.Error.WriteLine(error);
        RemoveStaleLoadBalancing(drivers.Set, settings, atStart: false);
        if (errors.Count > 0) return ExitCodes.Failure;
        Console.WriteLine("actorvip: stopped; every VIP released (the fence stays installed owning nothing until actorvip cleanup or the next start)");
        return ExitCodes.Ok;
    }

    /// <summary>How long the node agent has to confirm a reload's VIP list; `actorvip reload` waits longer for the node (10 s).</summary>
    private static readonly TimeSpan ReloadConfirmation = TimeSpan.FromSeconds(5);

    /// <summary>
    /// SIGHUP: reads the configuration again and applies its VIP list (<see cref="ReloadCheck"/>), between RELOADING=1 and READY=1 to
    /// systemd. Its line goes to the log first and then to /reload, where `actorvip reload` (systemd's ExecReload) waits for it.
    /// </summary>
    /// <returns>The settings to run with from now on, and the configuration the running VIP list was read from.</returns>
    /// <param name="drivers">The node's drivers: their links look up an interface a reloaded VIP is on that no running VIP was on (the host
    /// must have it), and IPVS is opened here when the reload brings the first load-balanced service.</param>
    /// <param name="links">Every VIP interface as found (start and reloads): a reload adds the new ones, which the exit silences too.</param>
    private static (NodeSettings Settings, Akka.Configuration.Config VipsConfig) Reload(NodeRuntime runtime, SystemdService service,
        NodeEndpoints endpoints, ReloadHistory reloads, NodeSettings settings, Akka.Configuration.Config config, Akka.Configuration.Config vipsConfig,
        Func<(NodeSettings Settings, Akka.Configuration.Config Config)> reread, LinuxDrivers drivers, List<InterfaceInfo> links)
    {
        // Before the file is read: a reload stamped at or after the time `actorvip reload` signalled read the file after it.
        var started = LinuxClocks.MonotonicMicroseconds();
        service.Reloading(started);
        var (line, plan, read) = ReloadCheck.Check(settings, config, vipsConfig, reread, HostOf(drivers, links));
        var outcome = plan is null ? ReloadOutcome.Refused : ReloadOutcome.Applied;
        if (plan is { ChangesVips: true } && read is not null)
        {
            // The agent releases what was removed or changed, declares the new list and guards the new VIPs; the deputy claims the
            // new list. Nothing else of the running node changes (ReloadPlan).
            // An interface no VIP was on before: found now (the plan checked the host has it; one gone since counts as down until its
            // link watch sees it), its link watched and its egress fenced by the agent from now on.
            var added = plan.Applied.VipInterfaces.Where(name => links.All(l => l.Name != name)).Select(drivers.Set.Links.Find).OfType<InterfaceInfo>()
                .ToList();
            links.AddRange(added);
            settings = plan.Applied;
            vipsConfig = read;
            var specs = NodeRuntime.VipSpecs(settings);
            var reconfigure = new Actors.Reconfigure(settings, specs, plan.Dropped)
            {
                Links = added,
                LoadBalancer = drivers.Set.LoadBalancer,
            };
            var applied = Akka.Actor.Futures.Ask<Actors.Reconfigured>(runtime.Agent, reconfigure, ReloadConfirmation);
            runtime.System.ActorSelection($"/user/{Ownership.Actors.DeputyAllocator.Name}")
                .Tell(new Ownership.Actors.DeputyVips(specs), Akka.Actor.ActorRefs.NoSender);
            endpoints.Reconfigure(settings);
            try
            {
                applied.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is Akka.Actor.AskTimeoutException or TaskCanceledException)
            {
                outcome = ReloadOutcome.Unconfirmed;
                line += $"; the node agent did not confirm it within {ReloadConfirmation.TotalSeconds:0} s";
            }
        }
        Console.Error.WriteLine(line);
        reloads.Finished(started, outcome, line);
        service.Reloaded();
        return (settings, vipsConfig);
    }

    /// <summary>
    /// The host as a reload sees it: its interfaces, its own addresses (read once per reload; the start's check of the same,
    /// <see cref="VipCopies.Foreign"/>, stops a node given one as a VIP), the IPVS schedulers its kernel has (the start's look at the
    /// kernel's modules, <see cref="IpvsSchedulers"/>), and IPVS itself, opened for the first load-balanced service of a node that started
    /// without any (with the start's sweep of services of these VIPs left by an earlier run).
    /// </summary>
    private static ReloadHost HostOf(LinuxDrivers drivers, IReadOnlyList<InterfaceInfo> links)
    {
        IReadOnlyList<InterfaceAddress>? present = null;
        return new ReloadHost(name => drivers.Set.Links.Find(name) is not null, vip =>
        {
            if (present is null)
            {
                using var listing = new RtnetlinkAddresses();
                present = listing.List();
            }
            return HostsOwn(present, [vip], links);
        }, scheduler => IpvsSchedulers.Read(scheduler) != SchedulerPresence.Missing, Balance: next =>
        {
            try
            {
                drivers.OpenLoadBalancer();
                // As at a start that balances: services of these VIPs and a NAT table left by an earlier run that was killed.
                RemoveStaleLoadBalancing(drivers.Set, next, atStart: true);
                return null;
            }
            catch (Exception e) when (e is IpvsException or NetlinkException)
            {
                // KernelIpvs says what is missing and how to load it.
                return ConfigSources.FirstLine(e.Message);
            }
        });
    }

    /// <summary>The line for the first of <paramref name="vips"/> that is an address of this host, not a VIP copy; null when none is.</summary>
    private static string? HostsOwn(IEnumerable<InterfaceAddress> present, IEnumerable<VipAddress> vips, IReadOnlyList<InterfaceInfo> links)
    {
        if (VipCopies.Foreign(present, vips).FirstOrDefault() is not { } foreign) return null;
        var where = links.FirstOrDefault(l => l.Index == foreign.InterfaceIndex)?.Name ?? $"interface index {foreign.InterfaceIndex}";
        return VipCopies.Describe(foreign, where);
    }

    /// <summary>
    /// The one line for a VIP interface this host lacks, naming the setting that gave it: the node's <c>interface</c>, or the
    /// <c>interface</c> of the VIPs that have it as their own.
    /// </summary>
    internal static string MissingInterface(NodeSettings settings, string name)
    {
        var own = settings.Vips.Where(v => v.Interface == name).Select(v => v.Address.ToString()).ToList();
        var setting = own.Count == 0 || settings.Vips.Any(v => v.Interface is null && name == settings.Interface)
            ? "interface"
            : $"vips interface (of {string.Join(", ", own)})";
        return $"{setting}: '{name}' does not exist on this host (ip link lists the interfaces)";
    }

    /// <summary>
    /// IPVS services of our VIPs and the NAT table: left by a killed run (start, or the reload that opens IPVS), or by an actor that could
    /// not remove them (stop).
    /// </summary>
    private static void RemoveStaleLoadBalancing(DriverSet drivers, NodeSettings settings, bool atStart)
    {
        if (drivers.LoadBalancer is not { } lb) return;
        foreach (var key in StaleServices.Remove(lb.Ipvs, settings.Vips.Select(v => v.Address).ToList(), StaleServices.MarksOf(settings)))
            Console.WriteLine($"actorvip: removed IPVS service {key} {(atStart ? "left by an earlier run" : "at stop")}");
        lb.Nat.Remove();
    }
}
