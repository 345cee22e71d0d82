using System.Net;

namespace ActorVip.Node.Configuration;

/// <summary>
/// One health check of a VIP (issue 14 §1, docs/HEALTH.md): an element of <c>health-checks</c>, per VIP or node-wide.
/// <see cref="Health"/> carries what it shares with the backend checks (kind, path, status range, certificate, port,
/// interval, timeout, rise, fall); <see cref="Host"/> is the address checked (tcp, http, https); exec runs
/// <see cref="Command"/> with <see cref="Args"/>, no shell.
/// </summary>
/// <param name="CaFile">https: a PEM file of the certificate authorities the server's certificate must chain to; empty: the system's.</param>
public sealed record VipHealthCheck(HealthSettings Health, IPAddress Host, string Command, IReadOnlyList<string> Args, string CaFile = "")
{
    /// <summary>How logs name the check: "http 127.0.0.1:6443/readyz", "tcp 127.0.0.1:6443", "exec /usr/bin/true".</summary>
    public string Name => Health.Kind switch
    {
        HealthCheckKind.Exec => $"exec {Command}",
        HealthCheckKind.Tcp => $"tcp {Format(Host, Health.Port)}",
        _ => $"{Health.Kind.ToString().ToLowerInvariant()} {Format(Host, Health.Port)}{Health.Path}",
    };

    private static string Format(IPAddress host, int port) =>
        host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]:{port}" : $"{host}:{port}";

    public bool Equals(VipHealthCheck? other) =>
        other is not null && Health == other.Health && Host.Equals(other.Host) && Command == other.Command && Args.SequenceEqual(other.Args) &&
        CaFile == other.CaFile;

    public override int GetHashCode() => HashCode.Combine(Health, Host, Command, Args.Count, CaFile);
}
