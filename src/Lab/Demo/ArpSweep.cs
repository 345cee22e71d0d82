using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Packet;
using static Tmds.Linux.LibC;

namespace ActorVip.Lab.Demo;

/// <summary>Two or more MACs answered who-has for one VIP within one sweep: two owners at once.</summary>
public readonly record struct SweepDual(IPAddress Vip, TimeSpan From, TimeSpan To, IReadOnlyList<string> Macs);

/// <summary>A stretch of answers for one VIP from one MAC, with no other MAC answering in between.</summary>
public readonly record struct ArpRun(string Mac, TimeSpan First, TimeSpan Last);

/// <summary>
/// <see cref="WhoHasProbe"/> for many VIPs: every <see cref="Interval"/> one sweep asks who-has for every VIP from an AF_PACKET socket in
/// the client namespace, and a receiver thread records which MAC answered for which VIP and when. It keeps per VIP only
/// runs of answers by one MAC and the longest gap between answers, not every answer (1,000 VIPs at 20 sweeps a second
/// would be 20,000 answers a second). An answer belongs to the VIP's latest request sent before it: two MACs answering
/// within one VIP's sweep window is dual ownership.
/// </summary>
public sealed class ArpSweep : IDisposable
{
    private const ushort EthPArp = 0x0806;
    private const int SolPacket = 263;
    private const int PacketIgnoreOutgoing = 23;
    private const int SoRcvbufForce = 33;

    private readonly SocketHandle _handle;
    private readonly IReadOnlyList<IPAddress> _vips;
    private readonly byte[][] _requests;
    private readonly Dictionary<uint, int> _indexOf = new();
    private readonly uint _probeSender;
    private readonly Stopwatch _clock;
    private readonly object _gate = new();
    private readonly int[] _requestSweep;
    private readonly int[] _maskSweep;
    private readonly ulong[] _mask;
    private readonly TimeSpan?[] _first;
    private readonly TimeSpan?[] _last;
    private readonly TimeSpan[] _longestGap;
    private readonly List<ArpRun>[] _runs;
    private readonly List<TimeSpan> _sweeps = new();
    private readonly List<string> _macs = new();
    private readonly Dictionary<ulong, int> _macIndex = new();
    private readonly Dictionary<(int Vip, int Sweep), ulong> _duals = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private TimeSpan _gapsFrom;
    private long _intervalTicks;

    /// <param name="probeSender">An unused address of the client's subnet: the nodes reply to it, unicast to the client's MAC.</param>
    public ArpSweep(string ns, int interfaceIndex, byte[] clientMac, IPAddress probeSender, IReadOnlyList<IPAddress> vips, Stopwatch clock,
        TimeSpan interval)
    {
        _vips = vips;
        _clock = clock;
        Interval = interval;
        _probeSender = BinaryPrimitives.ReadUInt32BigEndian(probeSender.GetAddressBytes());
        _requests = vips.Select(v => WhoHasProbe.Request(clientMac, probeSender, v)).ToArray();
        for (var i = 0; i < vips.Count; i++)
            if (!_indexOf.TryAdd(BinaryPrimitives.ReadUInt32BigEndian(vips[i].GetAddressBytes()), i))
                throw new ArgumentException($"VIP {vips[i]} is listed twice", nameof(vips));
        _requestSweep = Enumerable.Repeat(-1, vips.Count).ToArray();
        _maskSweep = Enumerable.Repeat(-1, vips.Count).ToArray();
        _mask = new ulong[vips.Count];
        _first = new TimeSpan?[vips.Count];
        _last = new TimeSpan?[vips.Count];
        _longestGap = new TimeSpan[vips.Count];
        _runs = vips.Select(_ => new List<ArpRun>()).ToArray();
        using (NetworkNamespace.Enter(ns))
            _handle = OpenBound(interfaceIndex);
        _sender = new Thread(SendLoop) { IsBackground = true, Name = "arpsweep-send" };
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "arpsweep-receive" };
        _receiver.Start();
        _sender.Start();
    }

    /// <summary>Time between the starts of two sweeps; may be changed while it runs (slower while nodes idle, so the probe costs them little).</summary>
    public TimeSpan Interval
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _intervalTicks));
        set => Interlocked.Exchange(ref _intervalTicks, value.Ticks);
    }

    public IReadOnlyList<IPAddress> Vips => _vips;

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>When each sweep began, in order.</summary>
    public IReadOnlyList<TimeSpan> Sweeps { get { lock (_gate) return _sweeps.ToList(); } }

    /// <summary>Per VIP, its first answer from anyone.</summary>
    public IReadOnlyList<TimeSpan?> FirstAnswers { get { lock (_gate) return _first.ToList(); } }

    /// <summary>Per VIP, its answers as runs of one MAC, in order.</summary>
    public IReadOnlyList<ArpRun> Runs(int vip) { lock (_gate) return _runs[vip].ToList(); }

    /// <summary>Every sweep window in which two or more MACs answered for one VIP, in order of time.</summary>
    public IReadOnlyList<SweepDual> Duals()
    {
        lock (_gate)
            return _duals.Select(d => new SweepDual(_vips[d.Key.Vip], _sweeps[d.Key.Sweep],
                    d.Key.Sweep + 1 < _sweeps.Count ? _sweeps[d.Key.Sweep + 1] : _sweeps[d.Key.Sweep] + Interval, MacsOf(d.Value)))
                .OrderBy(d => d.From).ToList();
    }

    /// <summary>Per VIP, the MACs that answered it within the last <paramref name="window"/>.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Owners(TimeSpan window)
    {
        var since = Now - window;
        lock (_gate)
            return _runs.Select(runs => (IReadOnlyList<string>)runs.Where(r => r.Last >= since).Select(r => r.Mac).Distinct().ToList()).ToList();
    }

    /// <summary>From now on, <see cref="LongestGaps"/> counts the gaps between a VIP's answers that end after this moment.</summary>
    public void ResetGaps()
    {
        lock (_gate)
        {
            _gapsFrom = Now;
            Array.Clear(_longestGap);
        }
    }

    /// <summary>
    /// Per VIP, the longest time between two of its answers since <see cref="ResetGaps"/> (the gap the reset fell in counts in
    /// full), a silence that lasts until now included; a VIP never answered counts from the reset.
    /// </summary>
    public IReadOnlyList<TimeSpan> LongestGaps()
    {
        var now = Now;
        lock (_gate)
            return _longestGap.Select((g, i) => Max(g, now - (_last[i] ?? _gapsFrom))).ToList();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private List<string> MacsOf(ulong mask) => Enumerable.Range(0, _macs.Count).Where(i => (mask & (1UL << i)) != 0).Select(i => _macs[i]).ToList();

    private void SendLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            int sweep;
            var start = _clock.Elapsed;
            lock (_gate)
            {
                sweep = _sweeps.Count;
                _sweeps.Add(start);
            }
            for (var v = 0; v < _requests.Length; v++)
            {
                Volatile.Write(ref _requestSweep[v], sweep);
                WhoHasProbe.Send(_handle, _requests[v]);
            }
            // A sweep longer than the interval delays the next, which then starts at once. Short waits, so that a shorter
            // interval set during a long one takes effect soon.
            for (var wait = start + Interval - _clock.Elapsed; wait > TimeSpan.Zero; wait = start + Interval - _clock.Elapsed)
                if (_stop.Token.WaitHandle.WaitOne(wait < TimeSpan.FromMilliseconds(100) ? wait : TimeSpan.FromMilliseconds(100))) return;
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[1600];
        while (!_stop.IsCancellationRequested)
        {
            var n = WhoHasProbe.Receive(_handle, buffer);
            if (n < 42) continue;
            var at = _clock.Elapsed;
            var arp = buffer.AsSpan(14, 28);
            if (BinaryPrimitives.ReadUInt16BigEndian(arp[6..]) != (ushort)ArpOperation.Reply) continue;
            if (BinaryPrimitives.ReadUInt32BigEndian(arp[24..]) != _probeSender) continue;
            if (!_indexOf.TryGetValue(BinaryPrimitives.ReadUInt32BigEndian(arp[14..]), out var vip)) continue;
            var sweep = Volatile.Read(ref _requestSweep[vip]);
            if (sweep < 0) continue;
            var key = (ulong)BinaryPrimitives.ReadUInt32BigEndian(arp[8..]) << 16 | BinaryPrimitives.ReadUInt16BigEndian(arp[12..]);
            lock (_gate) Record(vip, sweep, key, at);
        }
    }

    private void Record(int vip, int sweep, ulong key, TimeSpan at)
    {
        if (!_macIndex.TryGetValue(key, out var mac))
        {
            if (_macs.Count == 64) return; // a lab has a handful of MACs; more would not fit the per-sweep mask
            _macIndex[key] = mac = _macs.Count;
            _macs.Add(string.Join(':', Enumerable.Range(0, 6).Select(b => ((key >> (40 - 8 * b)) & 0xFF).ToString("x2"))));
        }
        if (_maskSweep[vip] != sweep)
        {
            _maskSweep[vip] = sweep;
            _mask[vip] = 0;
        }
        _mask[vip] |= 1UL << mac;
        if ((_mask[vip] & (_mask[vip] - 1)) != 0) _duals[(vip, sweep)] = _mask[vip];
        _first[vip] ??= at;
        if (_last[vip] is { } last && at >= _gapsFrom && at - last > _longestGap[vip]) _longestGap[vip] = at - last;
        _last[vip] = at;
        var runs = _runs[vip];
        if (runs.Count > 0 && runs[^1].Mac == _macs[mac]) runs[^1] = runs[^1] with { Last = at };
        else runs.Add(new ArpRun(_macs[mac], at, at));
    }

    private static unsafe SocketHandle OpenBound(int index)
    {
        // Wakes every 200 ms to notice Stop.
        var handle = BoundPacketSocket.Open(EthPArp, index, TimeSpan.FromMilliseconds(200), "an ARP sweep");
        // A sweep's answers arrive in a burst: room for thousands of them, and none of our own requests looped back.
        var size = 16 << 20;
        var one = 1;
        if (setsockopt(handle.Fd, SOL_SOCKET, SoRcvbufForce, &size, sizeof(int)) != 0 ||
            setsockopt(handle.Fd, SolPacket, PacketIgnoreOutgoing, &one, sizeof(int)) != 0)
        {
            var error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            handle.Dispose();
            throw new IOException($"Cannot set up the ARP sweep socket: {error}.");
        }
        return handle;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sender.Join();
        _receiver.Join();
        _handle.Dispose();
    }
}
