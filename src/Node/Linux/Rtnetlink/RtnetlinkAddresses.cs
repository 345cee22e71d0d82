using System.Buffers.Binary;
using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Rtnetlink;

/// <summary>
/// Puts VIPs on interfaces through rtnetlink. Thread-safe (one socket, one request at a time); the socket
/// lives in the network namespace that was current when this was constructed.
/// Measured on kernel 6.18: preferred_lft 0 marks an IPv4 address "deprecated" (ip -d addr shows it, preferred_lft 0sec),
/// but IPv4 source selection ignores that (the first primary address of the device wins), so only IPv6 skips a VIP as a source.
/// </summary>
public sealed class RtnetlinkAddresses : IAddressDriver, IDisposable
{
    private readonly NetlinkSocket _socket = NetlinkSocket.Open(Nl.Route);
    private readonly NetlinkWriter _writer = new(512);
    private readonly object _gate = new();

    public void Add(InterfaceInfo link, VipAddress vip, TimeSpan? validLifetime) => Add(link, [vip], validLifetime);

    public void Remove(InterfaceInfo link, VipAddress vip) => Remove(link, [vip]);

    /// <summary>
    /// One sendmsg of up to <see cref="MaxPerRequest"/> RTM_NEWADDR messages, then every ack: the kernel applies them one by
    /// one, and a failed one (its interface gone, IPv6 disabled) does not stop the others.
    /// </summary>
    public void Add(InterfaceInfo link, IReadOnlyList<VipAddress> vips, TimeSpan? validLifetime)
    {
        NetlinkException? first = null;
        foreach (var chunk in vips.Chunk(MaxPerRequest))
        {
            var operation = chunk.Length == 1 ? $"adding {chunk[0]} to {link.Name} (index {link.Index})"
                : $"adding {chunk.Length} addresses to {link.Name} (index {link.Index})";
            lock (_gate)
            {
                _writer.Reset();
                foreach (var vip in chunk) AddressMessages.WriteAdd(_writer, _socket.NextSeq(), link.Index, vip, validLifetime);
                try
                {
                    _socket.Execute(_writer, operation);
                }
                catch (NetlinkException e) when (e.Errno == Errnos.EACCES && chunk.Any(v => v.IsIPv6))
                {
                    first ??= new NetlinkException(e.Errno, operation, e.KernelMessage,
                        $"IPv6 is disabled on {link.Name}: set net.ipv6.conf.{link.Name}.disable_ipv6=0 or use an IPv4 VIP");
                }
                catch (NetlinkException e) when (e.Errno == Errnos.ENODEV)
                {
                    first ??= new NetlinkException(e.Errno, operation, e.KernelMessage,
                        $"interface {link.Name} (index {link.Index}) is gone: check the interface name in the configuration");
                }
                catch (NetlinkException e)
                {
                    first ??= e;
                }
            }
        }
        if (first is not null) throw first;
    }

    /// <summary>
    /// One sendmsg of up to <see cref="MaxPerRequest"/> RTM_DELADDR messages; an address already gone (or its interface, which
    /// took the address with it) is no error.
    /// </summary>
    public void Remove(InterfaceInfo link, IReadOnlyList<VipAddress> vips)
    {
        NetlinkException? first = null;
        foreach (var chunk in vips.Chunk(MaxPerRequest))
        {
            lock (_gate)
            {
                _writer.Reset();
                foreach (var vip in chunk) AddressMessages.WriteDelete(_writer, _socket.NextSeq(), link.Index, vip);
                try
                {
                    _socket.Execute(_writer, chunk.Length == 1 ? $"removing {chunk[0]} from {link.Name} (index {link.Index})"
                            : $"removing {chunk.Length} addresses from {link.Name} (index {link.Index})",
                        tolerated: errno => errno is Errnos.EADDRNOTAVAIL or Errnos.ENOENT or Errnos.ENODEV);
                }
                catch (NetlinkException e)
                {
                    first ??= e;
                }
            }
        }
        if (first is not null) throw first;
    }

    /// <summary>How many addresses one request carries: each message is about 80 bytes, and the send buffer (wmem_max) 208 KiB.</summary>
    public const int MaxPerRequest = 512;

    public IReadOnlySet<IPAddress> Addresses(InterfaceInfo link) => List(link.Index).Select(a => a.Address).ToHashSet();

    /// <summary>The addresses of one interface (or of all with null), IPv4 and IPv6 unless <paramref name="family"/> is AF_INET or AF_INET6.</summary>
    public IReadOnlyList<InterfaceAddress> List(int? interfaceIndex = null, byte family = 0)
    {
        var found = new List<InterfaceAddress>();
        lock (_gate)
        {
            _writer.Reset();
            AddressMessages.WriteDump(_writer, _socket.NextSeq(), family);
            _socket.Execute(_writer, "listing addresses", (in NetlinkMessage m) =>
            {
                if (m.Type != Rtm.NewAddr || m.Payload.Length < Rtm.IfAddrMsgSize) return;
                var index = BinaryPrimitives.ReadInt32LittleEndian(m.Payload[4..]);
                // Without strict checking the kernel dumps every interface, so filter here.
                if (interfaceIndex is { } wanted && index != wanted) return;
                if (Parse(m) is { } address) found.Add(address);
            });
        }
        return found;
    }

    internal static InterfaceAddress? Parse(in NetlinkMessage message)
    {
        var header = message.Payload;
        var attributes = message.Attributes(Rtm.IfAddrMsgSize);
        var address = attributes.Address(Rtm.IfaLocal) ?? attributes.Address(Rtm.IfaAddress);
        if (address is null) return null;
        uint? preferred = null, valid = null;
        if (attributes.TryGet(Rtm.IfaCacheInfo, out var cache) && cache.Length >= 8)
        {
            preferred = Lifetime(BinaryPrimitives.ReadUInt32LittleEndian(cache));
            valid = Lifetime(BinaryPrimitives.ReadUInt32LittleEndian(cache[4..]));
        }
        return new InterfaceAddress(
            BinaryPrimitives.ReadInt32LittleEndian(header[4..]),
            address,
            header[1],
            attributes.U32(Rtm.IfaFlags) ?? header[2],
            preferred,
            valid,
            attributes.String(Rtm.IfaLabel));
    }

    private static uint? Lifetime(uint seconds) => seconds == Rtm.InfiniteLifetime ? null : seconds;

    public void Dispose() => _socket.Dispose();
}
