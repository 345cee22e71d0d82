using System.Buffers.Binary;
using System.Net.NetworkInformation;
using ActorVip.Node.Drivers;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Rtnetlink;

/// <summary>
/// Looks up interfaces through rtnetlink (RTM_GETLINK). Thread-safe; the socket lives in the network
/// namespace that was current when this was constructed.
/// </summary>
public sealed class RtnetlinkLinks : ILinkDriver, IDisposable
{
    private const ushort IflaExtMask = 29;
    private const uint RtextFilterSkipStats = 1 << 3; // the per-link counters are kilobytes we never read
    private const int MaxNameLength = 15; // IFNAMSIZ - 1

    private readonly NetlinkSocket _socket = NetlinkSocket.Open(Nl.Route);
    private readonly NetlinkWriter _writer = new(256);
    private readonly object _gate = new();

    public InterfaceInfo? Find(string name)
    {
        // No interface can have such a name; the kernel would answer EINVAL rather than ENODEV.
        if (name.Length is 0 or > MaxNameLength || name.Contains('/') || name.Any(char.IsWhiteSpace)) return null;
        InterfaceInfo? found = null;
        lock (_gate)
        {
            _writer.Reset();
            _writer.BeginMessage(Rtm.GetLink, Nl.FRequest | Nl.FAck, _socket.NextSeq());
            _writer.Fixed(Rtm.IfInfoMsgSize);
            _writer.AttrU32(IflaExtMask, RtextFilterSkipStats);
            _writer.AttrString(Rtm.IflaIfName, name);
            _writer.EndMessage();
            try
            {
                _socket.Execute(_writer, $"looking up interface {name}", (in NetlinkMessage m) =>
                {
                    if (m.Type == Rtm.NewLink) found = Parse(m);
                });
            }
            catch (NetlinkException e) when (e.Errno == Errnos.ENODEV)
            {
                return null;
            }
        }
        return found;
    }

    /// <summary>Every interface in this network namespace.</summary>
    public IReadOnlyList<InterfaceInfo> List()
    {
        var found = new List<InterfaceInfo>();
        lock (_gate)
        {
            _writer.Reset();
            _writer.BeginMessage(Rtm.GetLink, Nl.FRequest | Nl.FDump, _socket.NextSeq());
            _writer.Fixed(Rtm.IfInfoMsgSize);
            _writer.AttrU32(IflaExtMask, RtextFilterSkipStats);
            _writer.EndMessage();
            _socket.Execute(_writer, "listing interfaces", (in NetlinkMessage m) =>
            {
                if (m.Type == Rtm.NewLink && Parse(m) is { } link) found.Add(link);
            });
        }
        return found;
    }

    internal static InterfaceInfo? Parse(in NetlinkMessage message)
    {
        if (message.Payload.Length < Rtm.IfInfoMsgSize) return null;
        var index = BinaryPrimitives.ReadInt32LittleEndian(message.Payload[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(message.Payload[8..]);
        var attributes = message.Attributes(Rtm.IfInfoMsgSize);
        var name = attributes.String(Rtm.IflaIfName);
        if (name is null) return null;
        var mac = attributes.TryGet(Rtm.IflaAddress, out var hw) ? new PhysicalAddress(hw.ToArray()) : PhysicalAddress.None;
        var operState = attributes.U8(Rtm.IflaOperState) ?? Rtm.OperUnknown;
        // lo, dummy and some tunnels never report IF_OPER_UP; for them "administratively up and running" is up.
        var up = operState == Rtm.OperUp ||
                 (operState == Rtm.OperUnknown && (flags & (Rtm.IffUp | Rtm.IffRunning)) == (Rtm.IffUp | Rtm.IffRunning));
        return new InterfaceInfo(name, index, mac, (int)(attributes.U32(Rtm.IflaMtu) ?? 0), up, attributes.U8(Rtm.IflaCarrier) == 1,
            AdminUp: (flags & Rtm.IffUp) != 0, LowerUp: (flags & Rtm.IffLowerUp) != 0);
    }

    public void Dispose() => _socket.Dispose();
}
