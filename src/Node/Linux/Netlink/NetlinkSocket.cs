using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace ActorVip.Node.Linux.Netlink;

/// <summary>Called for every data message a request returns (dump parts, GET replies).</summary>
public delegate void NetlinkMessageHandler(in NetlinkMessage message);

/// <summary>
/// A netlink socket of one protocol (route, generic, netfilter). Not thread-safe: one owner at a time.
/// Every request must carry NLM_F_ACK or NLM_F_DUMP so that its end can be recognised.
/// </summary>
public sealed class NetlinkSocket : IDisposable
{
    private readonly SocketHandle _handle;
    private readonly byte[] _receiveBuffer = new byte[1 << 17];
    private uint _seq;

    private NetlinkSocket(SocketHandle handle, int protocol)
    {
        _handle = handle;
        Protocol = protocol;
        _seq = (uint)Environment.TickCount;
    }

    public int Protocol { get; }

    /// <summary>How long to wait for the kernel's answer before giving up; the kernel answers synchronously, so this only guards against bugs.</summary>
    public static TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <param name="groups">Multicast groups to receive notifications of (nl_groups bit mask, e.g. RTMGRP_LINK); 0 for none.</param>
    /// <param name="receiveTimeout">How long a receive waits; <see cref="ReplyTimeout"/> when null.</param>
    public static unsafe NetlinkSocket Open(int protocol, int receiveBufferBytes = 8 << 20, uint groups = 0, TimeSpan? receiveTimeout = null)
    {
        var fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
        if (fd < 0) throw new NetlinkException(Marshal.GetLastPInvokeError(), $"opening a netlink socket (protocol {protocol})");
        var handle = new SocketHandle(fd);
        try
        {
            var one = 1;
            // Extended acks give the kernel's own sentence for an error; capped acks keep error replies small.
            setsockopt(fd, Nl.SolNetlink, Nl.OptExtAck, &one, sizeof(int));
            setsockopt(fd, Nl.SolNetlink, 10 /* NETLINK_CAP_ACK */, &one, sizeof(int));
            var size = receiveBufferBytes;
            // Large batches queue one ack per message; FORCE needs CAP_NET_ADMIN, the plain option is the fallback.
            if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(int)) != 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(int));
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(int));
            var wait = receiveTimeout ?? ReplyTimeout;
            var timeout = stackalloc long[2] { (long)wait.TotalSeconds, wait.Milliseconds * 1000L }; // struct timeval
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);

            var address = new SockaddrNl { Family = (ushort)AF_NETLINK, Groups = groups };
            if (bind(fd, (sockaddr*)&address, (uint)sizeof(SockaddrNl)) != 0)
                throw new NetlinkException(Marshal.GetLastPInvokeError(), "binding a netlink socket");
            return new NetlinkSocket(handle, protocol);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public uint NextSeq() => ++_seq;

    /// <summary>Sends every message in <paramref name="request"/> and waits for each one's ack, reply or dump end.</summary>
    /// <param name="tolerated">Errors that are not failures (e.g. removing an address that is already gone), for requests of many messages.</param>
    /// <exception cref="NetlinkException">The first error the kernel reported; the rest of the replies are drained.</exception>
    public void Execute(NetlinkWriter request, string operation, NetlinkMessageHandler? onMessage = null, Func<int, bool>? tolerated = null)
    {
        var pending = new Dictionary<uint, ushort>();
        foreach (var (seq, flags) in request.Messages)
        {
            if ((flags & (Nl.FAck | Nl.FDump)) != 0) pending[seq] = flags;
        }
        Send(request.Written, operation);

        NetlinkException? failure = null;
        while (pending.Count > 0)
        {
            var received = Receive(operation, wait: failure is null);
            if (received == 0) break; // drained after a failure
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
            while (reader.TryRead(out var message))
            {
                if (!pending.ContainsKey(message.Seq)) continue; // stale reply of an earlier, abandoned request
                switch (message.Type)
                {
                    case Nl.Error:
                        var errno = -BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
                        pending.Remove(message.Seq);
                        if (errno != 0 && tolerated?.Invoke(errno) != true)
                            failure ??= new NetlinkException(errno, operation, ExtendedAckMessage(message)) { Seq = message.Seq };
                        break;
                    case Nl.Done:
                        pending.Remove(message.Seq);
                        break;
                    case Nl.Noop:
                        break;
                    default:
                        if (failure is null) onMessage?.Invoke(message);
                        if ((pending[message.Seq] & Nl.FDump) == 0 && (pending[message.Seq] & Nl.FAck) == 0)
                            pending.Remove(message.Seq);
                        break;
                }
            }
        }
        if (failure is not null) throw failure;
    }

    /// <summary>
    /// Waits up to the receive timeout for one datagram of notifications (a socket opened with groups) and hands each of
    /// its messages to <paramref name="onMessage"/>; false when none came.
    /// </summary>
    /// <exception cref="NetlinkException">ENOBUFS: notifications were lost because the socket buffer overflowed.</exception>
    public unsafe bool ReceiveNotifications(NetlinkMessageHandler onMessage)
    {
        int received;
        fixed (byte* p = _receiveBuffer)
        {
            while (true)
            {
                var n = recv(_handle.Fd, p, _receiveBuffer.Length, 0);
                if (n >= 0)
                {
                    received = (int)n;
                    break;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR) continue;
                // The receive timeout ran out: no exception, an idle watcher comes here every timeout.
                if (errno == Errnos.EAGAIN) return false;
                throw new NetlinkException(errno, "receiving notifications");
            }
        }
        var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
        while (reader.TryRead(out var message)) onMessage(message);
        return true;
    }

    private unsafe void Send(ReadOnlySpan<byte> data, string operation)
    {
        var address = new SockaddrNl { Family = (ushort)AF_NETLINK };
        fixed (byte* p = data)
        {
            while (true)
            {
                var sent = sendto(_handle.Fd, p, data.Length, 0, (sockaddr*)&address, (uint)sizeof(SockaddrNl));
                if (sent >= 0) return;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR) continue;
                throw new NetlinkException(errno, operation);
            }
        }
    }

    /// <summary>Receives one datagram; with <paramref name="wait"/> false returns 0 when nothing is queued.</summary>
    private unsafe int Receive(string operation, bool wait)
    {
        fixed (byte* p = _receiveBuffer)
        {
            while (true)
            {
                var n = recv(_handle.Fd, p, _receiveBuffer.Length, wait ? 0 : MSG_DONTWAIT);
                if (n >= 0) return (int)n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR) continue;
                if (errno == Errnos.EAGAIN)
                {
                    if (!wait) return 0;
                    throw new TimeoutException($"{operation}: the kernel did not answer within {ReplyTimeout.TotalSeconds:0} s.");
                }
                if (errno == Errnos.ENOBUFS)
                    throw new NetlinkException(errno, operation, "replies overflowed the socket buffer; send smaller batches");
                throw new NetlinkException(errno, operation);
            }
        }
    }

    private static string? ExtendedAckMessage(in NetlinkMessage error)
    {
        if ((error.Flags & Nl.FAckTlvs) == 0) return null;
        // struct nlmsgerr: int error; struct nlmsghdr msg (payload dropped when capped); then TLVs.
        var offset = 4 + Nl.HeaderSize;
        if ((error.Flags & Nl.FCapped) == 0)
        {
            var originalLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(error.Payload[4..]);
            offset = 4 + Nl.Align(originalLength);
        }
        if (offset > error.Payload.Length) return null;
        return new NetlinkAttributes(error.Payload[offset..]).String(Nl.ErrAttrMsg);
    }

    public void Dispose() => _handle.Dispose();

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }
}
