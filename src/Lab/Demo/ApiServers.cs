using static Tmds.Linux.LibC;

namespace ActorVip.Lab.Demo;

/// <summary>
/// What the health scenario checks: a GET of each node's own small HTTP server, which stands in for its API server
/// (issue 14 §1). <see cref="Bound"/> is what the issue expects a move to take: fall x interval + 150 ms.
/// </summary>
public sealed record HttpHealthCheck(string Url, TimeSpan Interval, TimeSpan Timeout, int Rise, int Fall)
{
    public TimeSpan Bound => Interval * Fall + TimeSpan.FromMilliseconds(150);

    /// <summary>The check as one element of actorvip.health-checks (hocon/reference.conf).</summary>
    public string Hocon =>
        $"{{ type = http, url = \"{Url}\", interval = {Interval.TotalMilliseconds:0}ms, timeout = {Timeout.TotalMilliseconds:0}ms, " +
        $"rise = {Rise}, fall = {Fall} }}";
}

/// <summary>
/// One small, real HTTP server per node standing in for its API server: `python3 -m http.server` bound to
/// 127.0.0.1:<see cref="Port"/> inside the node's namespace, serving an empty folder (a GET of <see cref="Url"/> answers 200).
/// Stopping the owner's is the fault of the health scenario. The lab kills what is still running when it is disposed.
/// </summary>
public sealed class ApiServers
{
    public const int Port = 8080;
    public static readonly string Url = $"http://127.0.0.1:{Port}/";
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    private readonly NetworkLab _lab;
    private readonly string _root;
    private readonly Dictionary<LabNode, LabProcess> _running = new();

    public ApiServers(NetworkLab lab)
    {
        _lab = lab;
        _root = Directory.CreateDirectory(Path.Combine(lab.TempDirectory, "api-root")).FullName;
    }

    /// <summary>Starts the servers of <paramref name="nodes"/> and returns once each answers (python takes a moment to start).</summary>
    public void Start(params IEnumerable<LabNode> nodes)
    {
        var started = nodes.ToList();
        foreach (var node in started)
        {
            _running[node] = _lab.StartLogged(node.Namespace, $"{node.Name}-api-{DateTime.UtcNow:HHmmss.fff}.log",
                "python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", _root, Port.ToString());
        }
        var deadline = DateTime.UtcNow + StartBound;
        foreach (var node in started)
        {
            while (!Answers(node))
            {
                var process = _running[node];
                if (process.HasExited)
                    throw new InvalidOperationException($"the API server of {node.Name} exited with code {process.ExitCode}: {process.Tail(5)}");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"the API server of {node.Name} did not answer {Url} within {StartBound.TotalSeconds:0} s: {process.Tail(5)}");
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Stops the servers of <paramref name="nodes"/> (SIGTERM) and returns once each has exited: nothing listens on the port then.</summary>
    public void Stop(params IEnumerable<LabNode> nodes)
    {
        var stopping = nodes.Select(n => _running.Remove(n, out var p) ? p : null).OfType<LabProcess>().ToList();
        foreach (var process in stopping) process.Signal(SIGTERM);
        foreach (var process in stopping)
        {
            if (!process.WaitForExit(TimeSpan.FromSeconds(5))) throw new TimeoutException($"the API server in {process.Namespace} did not exit on SIGTERM");
        }
    }

    /// <summary>Whether a GET of <see cref="Url"/> inside the node's namespace answers a 2xx status.</summary>
    public bool Answers(LabNode node) => _lab.Exec(node.Namespace, "curl", "-sf", "-m", "1", "-o", "/dev/null", Url).ExitCode == 0;
}
