using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.LoadBalancing;

/// <summary>Endpoints (host names allowed) to backends: IPVS and the health checks take addresses only, so names are looked up once here.</summary>
public static class BackendAddresses
{
    /// <param name="family">The address family wanted for names; null takes the first address found.</param>
    /// <param name="warn">Told, in one line, about each endpoint that is skipped.</param>
    public static IReadOnlyList<Backend> Resolve(IEnumerable<Endpoint> endpoints, AddressFamily? family, Action<string> warn)
    {
        var result = new List<Backend>();
        foreach (var endpoint in endpoints)
        {
            if (IPAddress.TryParse(endpoint.Host, out var address))
            {
                result.Add(new Backend(address, (ushort)endpoint.Port));
                continue;
            }
            try
            {
                var found = Dns.GetHostAddresses(endpoint.Host).FirstOrDefault(a => family is null || a.AddressFamily == family);
                if (found is null) warn($"backend {endpoint} has no {family} address; skipped");
                else result.Add(new Backend(found, (ushort)endpoint.Port));
            }
            catch (Exception e)
            {
                warn($"backend {endpoint} could not be looked up ({e.Message}); skipped");
            }
        }
        return result;
    }
}
