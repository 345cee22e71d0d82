using System.Net.Security;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.LoadBalancing;

/// <summary>An HTTPS GET of a path (e.g. /readyz) that must answer 2xx; any certificate only when configured.</summary>
public sealed class HttpsProbe : IHealthProbe, IDisposable
{
    private readonly HttpClient _client;
    private readonly string _path;

    public HttpsProbe(string path, bool acceptAnyCertificate)
    {
        _path = path;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false };
        // API servers often present certificates for names, not for each backend address; the operator opts in.
        if (acceptAnyCertificate)
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<bool> CheckAsync(Backend backend, CancellationToken cancel)
    {
        try
        {
            using var response = await _client.GetAsync($"https://{IpvsEndpoint.Format(backend.Address, backend.Port)}{_path}", cancel);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
