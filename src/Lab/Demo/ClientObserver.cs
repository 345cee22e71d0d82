using System.Diagnostics;
using System.Net;

namespace ActorVip.Lab.Demo;

/// <summary>
/// The client's view of the VIP, measured from inside the client namespace: an echo every 10 ms and a
/// who-has probe every 20 ms, all on one monotonic clock that the fault injector reads too.
/// </summary>
public sealed class ClientObserver : IDisposable
{
    public static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(20);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly EchoPinger _pinger;
    private readonly WhoHasProbe _probe;

    public ClientObserver(NetworkLab lab, string clientNamespace, IPAddress vip, IPAddress probeSender)
    {
        var index = int.Parse(lab.Exec(clientNamespace, "cat", "/sys/class/net/eth0/ifindex").ThrowIfFailed("reading the client's ifindex").Stdout.Trim());
        var mac = Convert.FromHexString(lab.Mac(clientNamespace).Replace(":", ""));
        _probe = new WhoHasProbe(clientNamespace, index, mac, probeSender, vip, _clock, ProbeInterval);
        try
        {
            _pinger = new EchoPinger(clientNamespace, vip, _clock, PingInterval);
        }
        catch
        {
            _probe.Dispose();
            throw;
        }
    }

    /// <summary>Now, on the observer's clock.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public Observation Snapshot() => new(_pinger.Replies, _probe.Sent, _probe.Answers, Now, ProbeInterval);

    /// <summary>The MACs that answered who-has VIP within the last <paramref name="window"/>.</summary>
    public IReadOnlyList<string> RecentOwners(TimeSpan window)
    {
        var now = Now;
        return _probe.Answers.Where(a => a.At >= now - window).Select(a => a.Mac).Distinct().ToList();
    }

    /// <summary>Whether an echo reply arrived within the last <paramref name="window"/>.</summary>
    public bool Answering(TimeSpan window)
    {
        var replies = _pinger.Replies;
        return replies.Count > 0 && replies[^1] >= Now - window;
    }

    public void Dispose()
    {
        _pinger.Dispose();
        _probe.Dispose();
    }
}
