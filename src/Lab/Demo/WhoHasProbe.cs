using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Packet;
using static Tmds.Linux.LibC;

namespace ActorVip.Lab.Demo;

/// <summary>One ARP reply for the VIP: when it arrived and which MAC sent it.</summary>
public readonly record struct ArpAnswer(TimeSpan At, string Mac);

/// <summary>
/// Asks "who has VIP?" at a fixed interval from an AF_PACKET socket in the client namespace and records every
/// MAC that answers. The requests carry a sender address no host uses, so the answers to them are told apart
/// from answers to the client kernel's own requests and from gratuitous ARP.
/// </summary>
public sealed class WhoHasProbe : IDisposable
{
    private const ushort EthPArp = 0x0806;
    private readonly SocketHandle _handle;
    private readonly byte[] _request;
    private readonly IPAddress _vip;
    private readonly IPAddress _probeSender;
    private readonly Stopwatch _clock;
    private readonly TimeSpan _interval;
    private readonly List<TimeSpan> _sent = new();
    private readonly List<ArpAnswer> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _sender;
    private readonly Thread _receiver;

    /// <param name="probeSender">An unused address in the subnet: the nodes reply to it, unicast to the client's MAC.</param>
    public WhoHasProbe(string ns, int interfaceIndex, byte[] clientMac, IPAddress probeSender, IPAddress vip, Stopwatch clock, TimeSpan interval)
    {
        _vip = vip;
        _probeSender = probeSender;
        _clock = clock;
        _interval = interval;
        _request = Request(clientMac, probeSender, vip);
        using (NetworkNamespace.Enter(ns))
            _handle = OpenBound(interfaceIndex);
        _sender = new Thread(SendLoop) { IsBackground = true, Name = "whohas-send" };
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "whohas-receive" };
        _receiver.Start();
        _sender.Start();
    }

    /// <summary>When each request went out, in order: request i owns the answers until request i+1.</summary>
    public IReadOnlyList<TimeSpan> Sent { get { lock (_sent) return _sent.ToList(); } }

    public IReadOnlyList<ArpAnswer> Answers { get { lock (_answers) return _answers.ToList(); } }

    /// <summary>An ARP request: Ethernet broadcast, sender = client MAC + probe address, target = VIP (RFC 826).</summary>
    internal static byte[] Request(ReadOnlySpan<byte> mac, IPAddress sender, IPAddress target)
    {
        var frame = new byte[GratuitousArp.FrameLength];
        frame.AsSpan(0, 6).Fill(0xFF);
        mac.CopyTo(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EthPArp);
        var arp = frame.AsSpan(14);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);         // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], (ushort)ArpOperation.Request);
        mac.CopyTo(arp[8..]);
        sender.TryWriteBytes(arp[14..], out _);
        target.TryWriteBytes(arp[24..], out _);
        return frame;
    }

    private void SendLoop()
    {
        var start = _clock.Elapsed;
        for (var i = 1; !_stop.IsCancellationRequested; i++)
        {
            lock (_sent) _sent.Add(_clock.Elapsed);
            Send(_handle, _request);
            var wait = start + _interval * i - _clock.Elapsed;
            if (wait > TimeSpan.Zero && _stop.Token.WaitHandle.WaitOne(wait)) return;
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[1600];
        Span<byte> vip = stackalloc byte[4];
        Span<byte> probe = stackalloc byte[4];
        _vip.TryWriteBytes(vip, out _);
        _probeSender.TryWriteBytes(probe, out _);
        while (!_stop.IsCancellationRequested)
        {
            var n = Receive(_handle, buffer);
            if (n < 42) continue;
            var at = _clock.Elapsed;
            var arp = buffer.AsSpan(14, 28);
            if (BinaryPrimitives.ReadUInt16BigEndian(arp[6..]) != (ushort)ArpOperation.Reply) continue;
            if (!arp.Slice(14, 4).SequenceEqual(vip) || !arp.Slice(24, 4).SequenceEqual(probe)) continue;
            var mac = string.Join(':', arp.Slice(8, 6).ToArray().Select(b => b.ToString("x2")));
            lock (_answers) _answers.Add(new ArpAnswer(at, mac));
        }
    }

    // Wakes every 200 ms to notice Stop.
    private static SocketHandle OpenBound(int index) => BoundPacketSocket.Open(EthPArp, index, TimeSpan.FromMilliseconds(200), "an ARP");

    /// <summary>Sends one frame; a lost probe is just a missing sample. Shared with <see cref="ArpSweep"/>.</summary>
    internal static unsafe void Send(SocketHandle handle, byte[] frame)
    {
        fixed (byte* p = frame) send(handle.Fd, p, frame.Length, 0);
    }

    /// <summary>Receives one frame into <paramref name="buffer"/>: its length, or -1 when the receive timed out.</summary>
    internal static unsafe int Receive(SocketHandle handle, byte[] buffer)
    {
        fixed (byte* p = buffer) return (int)recv(handle.Fd, p, buffer.Length, 0);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sender.Join();
        _receiver.Join();
        _handle.Dispose();
    }
}
