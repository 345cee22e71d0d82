using static Tmds.Linux.LibC;

namespace ActorVip.Lab.Demo;

/// <summary>
/// What the health scenario checks: one element of actorvip.health-checks, by default a GET of each node's own small HTTP
/// server, which stands in for its API server (issue 14 §1). <paramref name="Settings"/> is the check's own part (its type and
/// target, e.g. <c>type = tcp, port = 8080</c>). <see cref="Bound"/> is what the issue expects a move to take: fall x interval + 150 ms.
/// </summary>
public sealed record LabHealthCheck(string Settings, TimeSpan Interval, TimeSpan Timeout, int Rise, int Fall)
{
    public TimeSpan Bound => Interval * Fall + TimeSpan.FromMilliseconds(150);

    /// <summary>The check as one element of actorvip.health-checks (hocon/reference.conf).</summary>
    public string Hocon =>
        $"{{ {Settings}, interval = {Interval.TotalMilliseconds:0}ms, timeout = {Timeout.TotalMilliseconds:0}ms, rise = {Rise}, fall = {Fall} }}";

    /// <summary>A GET of <paramref name="url"/> that must answer 200-399.</summary>
    public static LabHealthCheck Http(string url, TimeSpan interval, TimeSpan timeout, int rise, int fall) =>
        new($"type = http, url = \"{url}\"", interval, timeout, rise, fall);
}

/// <summary>
/// A certificate and key (PEM files) an HTTPS API server presents, and a name for them in logs (e.g. the CA that issued them).
/// </summary>
public sealed record ApiServerTls(string Name, string Certificate, string Key);

/// <summary>A fault done to the owner's API server in the health scenario: what happens to the server (for the timeline) and how.</summary>
public sealed record ApiServerFault(string What, Action<ApiServers, LabNode> Apply)
{
    /// <summary>SIGTERM, and waited for: nothing listens on the port then.</summary>
    public static readonly ApiServerFault Stop = new("stopped (SIGTERM)", (api, node) => api.Stop(node));

    /// <summary>SIGSTOP: the kernel still accepts connections, the server never answers them (a hung API server).</summary>
    public static readonly ApiServerFault Freeze = new("frozen (SIGSTOP: connections accepted, never answered)", (api, node) => api.Freeze(node));
}

/// <summary>
/// One small, real HTTP server per node standing in for its API server: `python3 -m http.server` bound to
/// 127.0.0.1:<see cref="Port"/> inside the node's namespace, serving an empty folder (a GET of <see cref="Url"/> answers 200);
/// with <see cref="ApiServerTls"/> the same server behind TLS (<see cref="HttpsUrl"/>). Stopping the owner's is the fault of
/// the health scenario. The lab kills what is still running when it is disposed.
/// </summary>
public sealed class ApiServers
{
    public const int Port = 8080;
    public static readonly string Url = $"http://127.0.0.1:{Port}/";
    public static readonly string HttpsUrl = $"https://127.0.0.1:{Port}/";
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    /// <summary>http.server behind TLS: argv is the folder, the port, the certificate and the key.</summary>
    private const string HttpsServer =
        "import functools, http.server, ssl, sys\n" +
        "root, port, cert, key = sys.argv[1:5]\n" +
        "handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)\n" +
        "server = http.server.ThreadingHTTPServer(('127.0.0.1', int(port)), handler)\n" +
        "context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n" +
        "context.load_cert_chain(cert, key)\n" +
        "server.socket = context.wrap_socket(server.socket, server_side=True)\n" +
        "server.serve_forever()\n";

    private readonly NetworkLab _lab;
    private readonly string _root;
    private readonly ApiServerTls? _tls;
    private readonly Dictionary<LabNode, LabProcess> _running = new();

    /// <param name="tls">Null: plain HTTP servers; else HTTPS servers presenting this certificate (unless
    /// <see cref="Start(ApiServerTls, IEnumerable{LabNode})"/> says otherwise).</param>
    public ApiServers(NetworkLab lab, ApiServerTls? tls = null)
    {
        _lab = lab;
        _tls = tls;
        _root = Directory.CreateDirectory(Path.Combine(lab.TempDirectory, "api-root")).FullName;
    }

    /// <summary>Starts the servers of <paramref name="nodes"/> and returns once each answers (python takes a moment to start).</summary>
    public void Start(params IEnumerable<LabNode> nodes) => Launch(_tls, nodes);

    /// <summary>Starts HTTPS servers that present <paramref name="tls"/>'s certificate, e.g. one a node's check must not trust.</summary>
    public void Start(ApiServerTls tls, params IEnumerable<LabNode> nodes) => Launch(tls, nodes);

    private void Launch(ApiServerTls? tls, IEnumerable<LabNode> nodes)
    {
        var started = nodes.ToList();
        foreach (var node in started)
        {
            string[] command = tls is null
                ? ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", _root, Port.ToString()]
                : ["python3", "-c", HttpsServer, _root, Port.ToString(), tls.Certificate, tls.Key];
            _running[node] = _lab.StartLogged(node.Namespace, $"{node.Name}-api-{DateTime.UtcNow:HHmmss.fff}.log", command);
        }
        var deadline = DateTime.UtcNow + StartBound;
        var url = tls is null ? Url : HttpsUrl;
        foreach (var node in started)
        {
            while (!Answers(node, url))
            {
                var process = _running[node];
                if (process.HasExited)
                    throw new InvalidOperationException($"the API server of {node.Name} exited with code {process.ExitCode}: {process.Tail(5)}");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"the API server of {node.Name} did not answer {url} within {StartBound.TotalSeconds:0} s: {process.Tail(5)}");
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

    /// <summary>
    /// Freezes the server of <paramref name="node"/> (SIGSTOP): the kernel still accepts connections on its port, nothing
    /// answers them. The lab's dispose wakes and kills it.
    /// </summary>
    public void Freeze(LabNode node)
    {
        if (_running.TryGetValue(node, out var process)) process.Signal(SIGSTOP);
    }

    /// <summary>
    /// Whether a GET of <paramref name="url"/> inside the node's namespace answers a 2xx status (whatever certificate: whether a
    /// node's check trusts it is the check's business).
    /// </summary>
    private bool Answers(LabNode node, string url) => _lab.Exec(node.Namespace, "curl", "-sfk", "-m", "1", "-o", "/dev/null", url).ExitCode == 0;
}
