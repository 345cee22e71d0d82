using System.Net.Sockets;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Linux.GenericNetlink;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Ipvs;

/// <summary>
/// The kernel's IPVS table over generic netlink (family "IPVS"). Changes are batched: many requests per send,
/// one send per phase and per <see cref="BatchSize"/> requests, each request acknowledged. Not thread-safe.
/// </summary>
public sealed class IpvsClient : IDisposable
{
    /// <summary>Requests per send: small enough that their acks never overflow the socket's receive buffer.</summary>
    public const int BatchSize = 512;

    private readonly NetlinkSocket _socket;
    private readonly ushort _family;
    private readonly NetlinkWriter _writer = new(1 << 16);

    private IpvsClient(NetlinkSocket socket, ushort family)
    {
        _socket = socket;
        _family = family;
    }

    /// <summary>Opens a generic netlink socket and finds the IPVS family; the kernel loads ip_vs if it can.</summary>
    /// <exception cref="IpvsException">The kernel has no IPVS, or refused the lookup.</exception>
    public static IpvsClient Open()
    {
        NetlinkSocket socket;
        try
        {
            socket = NetlinkSocket.Open(Nl.Generic);
        }
        catch (NetlinkException e)
        {
            throw IpvsException.From(e, "opening a generic netlink socket");
        }
        try
        {
            var family = GenericNetlinkController.Resolve(socket, IpvsNl.FamilyName)
                ?? throw new IpvsException(IpvsException.NoIpvs, Errnos.ENOENT);
            return new IpvsClient(socket, family.Id);
        }
        catch (NetlinkException e)
        {
            socket.Dispose();
            throw IpvsException.From(e, "looking up the IPVS netlink family");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public IpvsInfo GetInfo()
    {
        IpvsInfo? info = null;
        Request(IpvsNl.CmdGetInfo, "reading IPVS info", (in NetlinkMessage m) =>
        {
            var a = m.GenericAttributes();
            info = new IpvsInfo(a.U32(IpvsNl.InfoVersion) ?? 0, a.U32(IpvsNl.InfoConnTabSize) ?? 0);
        });
        return info ?? throw new InvalidDataException("The kernel answered GET_INFO without data.");
    }

    public IpvsTimeouts GetTimeouts()
    {
        IpvsTimeouts? timeouts = null;
        Request(IpvsNl.CmdGetConfig, "reading IPVS timeouts", (in NetlinkMessage m) =>
        {
            var a = m.GenericAttributes();
            timeouts = new IpvsTimeouts(a.U32(IpvsNl.AttrTimeoutTcp) ?? 0, a.U32(IpvsNl.AttrTimeoutTcpFin) ?? 0, a.U32(IpvsNl.AttrTimeoutUdp) ?? 0);
        });
        return timeouts ?? throw new InvalidDataException("The kernel answered GET_CONFIG without data.");
    }

    /// <summary>Sets the connection timeouts; a 0 leaves that one unchanged.</summary>
    public void SetTimeouts(IpvsTimeouts timeouts)
    {
        _writer.Reset();
        IpvsRequest.SetTimeouts(_writer, _family, _socket.NextSeq(), timeouts);
        Run("setting IPVS timeouts", null);
    }

    /// <summary>Zeroes the counters of every service.</summary>
    public void ZeroCounters() => Request(IpvsNl.CmdZero, "zeroing IPVS counters", null);

    /// <summary>The whole table: every service with its destinations, without their counters.</summary>
    public IpvsTable List() =>
        new(ListServices().Select(s => new IpvsService(s.Key, s.Settings, Destinations(s.Key, IpvsReply.Destination))));

    /// <summary>Every service with its destinations and counters; one dump for the services, one per service for its destinations.</summary>
    public IReadOnlyList<IpvsServiceStatus> ListWithStatistics()
    {
        var services = ListServices();
        var result = new List<IpvsServiceStatus>(services.Count);
        foreach (var (key, settings, stats) in services)
        {
            var destinations = ListDestinations(key);
            result.Add(new IpvsServiceStatus(new IpvsService(key, settings, destinations.Select(d => d.Destination).ToArray()), stats, destinations));
        }
        return result;
    }

    /// <summary>Every service without its destinations: one dump.</summary>
    public IReadOnlyList<(IpvsServiceKey Key, IpvsServiceSettings Settings, IpvsStats Stats)> ListServices()
    {
        var services = new List<(IpvsServiceKey Key, IpvsServiceSettings Settings, IpvsStats Stats)>();
        _writer.Reset();
        IpvsRequest.DumpServices(_writer, _family, _socket.NextSeq());
        Run("listing IPVS services", (in NetlinkMessage m) => services.Add(IpvsReply.Service(m.GenericAttributes().Nested(IpvsNl.AttrService))));
        return services;
    }

    /// <summary>The destinations of one service with their counters: one dump, as the kernel dumps destinations only per service.</summary>
    public IReadOnlyList<IpvsDestinationStatus> ListDestinations(IpvsServiceKey service) => Destinations(service, IpvsReply.DestinationStatus);

    private delegate T DestinationDecoder<T>(NetlinkAttributes dest, AddressFamily serviceFamily);

    private List<T> Destinations<T>(IpvsServiceKey service, DestinationDecoder<T> decode)
    {
        // One dump at a time: the kernel refuses a second dump on a socket while one is running (EBUSY).
        var destinations = new List<T>();
        _writer.Reset();
        IpvsRequest.DumpDestinations(_writer, _family, _socket.NextSeq(), service);
        try
        {
            _socket.Execute(_writer, "listing IPVS destinations", (in NetlinkMessage m) =>
                destinations.Add(decode(m.GenericAttributes().Nested(IpvsNl.AttrDest), service.Family)));
        }
        catch (NetlinkException e)
        {
            // The message names the service only on failure: formatting it for each of a thousand dumps costs more than the dump.
            throw IpvsException.From(e, $"listing the destinations of service {service}");
        }
        return destinations;
    }

    /// <summary>
    /// Carries out <paramref name="operations"/> in order: each phase in sends of up to <see cref="BatchSize"/>
    /// requests, and no later send once one failed.
    /// </summary>
    /// <exception cref="IpvsException">The first request the kernel refused; requests of the same send after it were still processed by the kernel.</exception>
    public void Execute(IReadOnlyList<IpvsOperation> operations)
    {
        var start = 0;
        while (start < operations.Count)
        {
            var phase = operations[start].Phase;
            var end = start;
            var bySeq = new Dictionary<uint, IpvsOperation>();
            _writer.Reset();
            while (end < operations.Count && end - start < BatchSize && operations[end].Phase == phase)
            {
                var seq = _socket.NextSeq();
                bySeq[seq] = operations[end];
                IpvsRequest.Write(_writer, _family, seq, operations[end]);
                end++;
            }
            try
            {
                _socket.Execute(_writer, "changing the IPVS table");
            }
            catch (NetlinkException e)
            {
                var failed = e.Seq is { } s ? bySeq.GetValueOrDefault(s) : null;
                throw IpvsException.From(e, failed is null ? "changing the IPVS table" : failed.Describe(), failed);
            }
            start = end;
        }
    }

    private void Request(byte command, string what, NetlinkMessageHandler? onMessage)
    {
        _writer.Reset();
        IpvsRequest.Simple(_writer, _family, _socket.NextSeq(), command);
        Run(what, onMessage);
    }

    private void Run(string what, NetlinkMessageHandler? onMessage)
    {
        try
        {
            _socket.Execute(_writer, what, onMessage);
        }
        catch (NetlinkException e)
        {
            throw IpvsException.From(e, what);
        }
    }

    public void Dispose() => _socket.Dispose();
}
