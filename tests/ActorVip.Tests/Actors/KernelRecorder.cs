using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;

namespace ActorVip.Tests.Actors;

/// <summary>An in-memory kernel for actor tests: records every driver call in order, and lets a test delete an address behind the actor's back.</summary>
public sealed class KernelRecorder : IAddressDriver, IAnnouncer, IFence
{
    private readonly HashSet<string> _addresses = new();
    private readonly object _gate = new();

    public static readonly InterfaceInfo Link = new("eth0", 2, PhysicalAddress.Parse("02-00-00-00-00-01"), 1500, true, true);

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Every address add and remove and every announce with the interface it went to: "add VIP IF", "announce VIP IF", "remove VIP IF".</summary>
    public ConcurrentQueue<string> OnInterface { get; } = new();

    /// <summary>A holder's lease that runs <paramref name="remaining"/> from now on <paramref name="clock"/> (the real monotonic clock unless given).</summary>
    public static HolderLease Lease(TimeSpan remaining, IMonotonicClock? clock = null)
    {
        clock ??= MonotonicClock.Instance;
        return new HolderLease(clock, clock.Now + remaining);
    }

    /// <summary>Makes the next fence closes (Disown) throw, as a failed nftables write would.</summary>
    public bool FailDisown { get; set; }

    /// <summary>Runs inside every fence close, before it returns (a test makes the close slow with it).</summary>
    public Action? DuringDisown { get; set; }

    /// <summary>Runs inside every fence open, before it returns (a test stalls the caller past its lease with it).</summary>
    public Action? DuringOwn { get; set; }

    /// <summary>Runs inside every address add, before it returns (a test stalls the caller past its lease with it).</summary>
    public Action? DuringAdd { get; set; }

    /// <summary>Makes the next address removals throw, as a failed RTM_DELADDR would.</summary>
    public bool FailRemove { get; set; }

    /// <summary>The interface the last address was added to.</summary>
    public InterfaceInfo? LastAddedOn { get; private set; }

    public bool HasAddress(string vip)
    {
        lock (_gate) return _addresses.Contains(vip);
    }

    /// <summary>As `ip addr del` by an operator would.</summary>
    public void DeleteBehindTheActorsBack(string vip)
    {
        lock (_gate) _addresses.Remove(vip);
    }

    public int Count(string prefix) => Calls.Count(c => c.StartsWith(prefix, StringComparison.Ordinal));

    public void Add(InterfaceInfo link, VipAddress vip, TimeSpan? validLifetime)
    {
        DuringAdd?.Invoke();
        lock (_gate) _addresses.Add(vip.ToString());
        LastAddedOn = link;
        OnInterface.Enqueue($"add {vip} {link.Name}");
        Calls.Enqueue($"add {vip} lifetime={validLifetime?.TotalSeconds}");
    }

    public void Remove(InterfaceInfo link, VipAddress vip)
    {
        if (FailRemove)
        {
            Calls.Enqueue($"remove {vip} failed");
            throw new IOException($"RTM_DELADDR {vip}: injected failure");
        }
        lock (_gate) _addresses.Remove(vip.ToString());
        OnInterface.Enqueue($"remove {vip} {link.Name}");
        Calls.Enqueue($"remove {vip}");
    }

    /// <summary>One call for the batch: "add VIP,VIP,... lifetime=S" (a single VIP's reads as Add's own line).</summary>
    public void Add(InterfaceInfo link, IReadOnlyList<VipAddress> vips, TimeSpan? validLifetime)
    {
        DuringAdd?.Invoke();
        lock (_gate)
            foreach (var vip in vips) _addresses.Add(vip.ToString());
        LastAddedOn = link;
        foreach (var vip in vips) OnInterface.Enqueue($"add {vip} {link.Name}");
        Calls.Enqueue($"add {string.Join(",", vips)} lifetime={validLifetime?.TotalSeconds}");
    }

    /// <summary>One call for the batch: "remove VIP,VIP,..." (or "remove VIP,... failed" with <see cref="FailRemove"/>).</summary>
    public void Remove(InterfaceInfo link, IReadOnlyList<VipAddress> vips)
    {
        if (FailRemove)
        {
            Calls.Enqueue($"remove {string.Join(",", vips)} failed");
            throw new IOException($"RTM_DELADDR {string.Join(",", vips)}: injected failure");
        }
        lock (_gate)
            foreach (var vip in vips) _addresses.Remove(vip.ToString());
        foreach (var vip in vips) OnInterface.Enqueue($"remove {vip} {link.Name}");
        Calls.Enqueue($"remove {string.Join(",", vips)}");
    }

    public IReadOnlySet<IPAddress> Addresses(InterfaceInfo link)
    {
        lock (_gate) return _addresses.Select(a => VipAddress.Parse(a).Address).ToHashSet();
    }

    /// <summary>Runs inside each announce (a test blocks the announcer there: a holder whose stop is slow).</summary>
    public Action? DuringAnnounce { get; set; }

    public void Announce(InterfaceInfo link, VipAddress vip)
    {
        DuringAnnounce?.Invoke();
        OnInterface.Enqueue($"announce {vip} {link.Name}");
        Calls.Enqueue($"announce {vip}");
    }

    /// <summary>While set, every fence install throws with this text, as on a foreign table of the fence's name that Install leaves alone.</summary>
    public string? FailInstall { get; set; }

    /// <summary>
    /// `nft delete table ip actorvip` by hand: every fence open and close fails (ENOENT) until an install that works puts
    /// the table back.
    /// </summary>
    public bool TableDeleted { get; set; }

    public void Install(IReadOnlyCollection<IPAddress> vips)
    {
        if (FailInstall is { } why)
        {
            Calls.Enqueue("install failed");
            throw new IOException(why);
        }
        TableDeleted = false;
        Calls.Enqueue($"install {string.Join(",", vips)}");
    }

    /// <summary>
    /// "reshape INBOUND egress IF,IF": the fence's inbound rule (all, off, or only IF,IF) and the interfaces it guards at egress from the
    /// next install on.
    /// </summary>
    public void Reshape(InboundFence inbound, IReadOnlyList<string> egressInterfaces) =>
        Calls.Enqueue($"reshape {(!inbound.Enabled ? "off" : inbound.OnlyInterfaces is { } only ? $"only {string.Join(",", only)}" : "all")} " +
            $"egress {string.Join(",", egressInterfaces)}");

    /// <summary>How many of the next fence opens fail, as one would on a table deleted by hand (ENOENT).</summary>
    public int FailOwns { get; set; }

    /// <summary>One call per transaction: "own VIP MS" for each VIP, joined by "; ".</summary>
    public void Own(IReadOnlyList<(IPAddress Vip, TimeSpan Remaining)> vips)
    {
        DuringOwn?.Invoke();
        if (FailOwns > 0 || TableDeleted)
        {
            if (FailOwns > 0) FailOwns--;
            Calls.Enqueue("own failed");
            throw new IOException("nftables 'add element ip actorvip owned' (the whole batch was rolled back) failed: No such file or directory");
        }
        Calls.Enqueue("own " + string.Join("; ", vips.Select(v => $"{v.Vip} {v.Remaining.TotalMilliseconds:0}")));
    }

    public void Disown(IPAddress vip)
    {
        DuringDisown?.Invoke();
        if (FailDisown)
        {
            Calls.Enqueue($"disown {vip} failed");
            throw new IOException($"nftables delete element {vip}: injected failure");
        }
        Calls.Enqueue($"disown {vip}");
    }

    /// <summary>One call for the batch: "disown VIP,VIP,..." (or "... failed" with <see cref="FailDisown"/>).</summary>
    public void Disown(IReadOnlyList<IPAddress> vips)
    {
        DuringDisown?.Invoke();
        if (FailDisown)
        {
            Calls.Enqueue($"disown {string.Join(",", vips)} failed");
            throw new IOException($"nftables delete elements {string.Join(",", vips)}: injected failure");
        }
        Calls.Enqueue($"disown {string.Join(",", vips)}");
    }

    public void Remove() => Calls.Enqueue("remove-fence");

    public void Dispose()
    {
    }
}
