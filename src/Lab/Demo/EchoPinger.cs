using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Packet;

namespace ActorVip.Lab.Demo;

/// <summary>
/// Pings one address at a fixed interval from a raw ICMP socket opened inside a namespace, and records when
/// each echo reply arrived on the observer's monotonic clock. One thread sends, one receives.
/// </summary>
public sealed class EchoPinger : IDisposable
{
    private readonly Socket _socket;
    private readonly IPAddress _target;
    private readonly Stopwatch _clock;
    private readonly TimeSpan _interval;
    private readonly ushort _id = (ushort)Random.Shared.Next(1, ushort.MaxValue);
    private readonly List<TimeSpan> _replies = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private int _sent;

    public EchoPinger(string ns, IPAddress target, Stopwatch clock, TimeSpan interval)
    {
        _target = target;
        _clock = clock;
        _interval = interval;
        using (NetworkNamespace.Enter(ns))
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
        _socket.ReceiveTimeout = 200;
        _sender = new Thread(SendLoop) { IsBackground = true, Name = "echo-send" };
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "echo-receive" };
        _receiver.Start();
        _sender.Start();
    }

    public int Sent => Volatile.Read(ref _sent);

    /// <summary>The arrival time of every echo reply so far, in order.</summary>
    public IReadOnlyList<TimeSpan> Replies { get { lock (_replies) return _replies.ToList(); } }

    private void SendLoop()
    {
        var packet = new byte[16];
        var start = _clock.Elapsed;
        for (ushort seq = 0; !_stop.IsCancellationRequested; seq++)
        {
            packet.AsSpan().Clear();
            packet[0] = 8; // echo request
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), _id);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), seq);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), InternetChecksum.Finish(InternetChecksum.Sum(packet)));
            try
            {
                _socket.SendTo(packet, new IPEndPoint(_target, 0));
                Interlocked.Increment(ref _sent);
            }
            catch (SocketException) { } // no route or no neighbour yet: that ping is simply lost
            catch (ObjectDisposedException) { return; }
            var next = start + _interval * (seq + 1);
            var wait = next - _clock.Elapsed;
            if (wait > TimeSpan.Zero && _stop.Token.WaitHandle.WaitOne(wait)) return;
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[1500];
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try { n = _socket.Receive(buffer); }
            catch (SocketException) { continue; } // the receive timeout, so that Stop is noticed
            catch (ObjectDisposedException) { return; }
            var at = _clock.Elapsed;
            var ihl = (buffer[0] & 0x0F) * 4;
            if (n < ihl + 8 || buffer[ihl] != 0) continue; // not an echo reply
            if (BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(ihl + 4)) != _id) continue; // someone else's ping
            lock (_replies) _replies.Add(at);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sender.Join();
        _receiver.Join();
        _socket.Dispose();
    }
}
