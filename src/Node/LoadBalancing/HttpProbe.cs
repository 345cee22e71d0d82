using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.LoadBalancing;

/// <summary>
/// An HTTP or HTTPS GET of a path (e.g. /readyz) that must answer a status in a range; any certificate only when configured,
/// or (a VIP's https check with ca-file) a certificate that chains to the CAs of a PEM file instead of the system's.
/// </summary>
public sealed class HttpProbe : IHealthProbe, IDisposable
{
    private readonly HttpClient _client;
    private readonly string _scheme;
    private readonly string _path;
    private readonly int _statusMin;
    private readonly int _statusMax;

    public HttpProbe(bool tls, string path, bool acceptAnyCertificate, int statusMin = 200, int statusMax = 299, string caFile = "")
    {
        _scheme = tls ? "https" : "http";
        _path = path;
        _statusMin = statusMin;
        _statusMax = statusMax;
        // No redirects: a 301 is an answer of the backend itself, judged by the status range.
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false, AllowAutoRedirect = false };
        // API servers often present certificates for names, not for each backend address; the operator opts in.
        if (tls && acceptAnyCertificate)
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        else if (tls && caFile.Length > 0)
        {
            // The name (the URL's address) is still checked; only the roots are the file's.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.ImportFromPemFile(caFile);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<bool> CheckAsync(Backend backend, CancellationToken cancel)
    {
        try
        {
            var url = $"{_scheme}://{IpvsEndpoint.Format(backend.Address, backend.Port)}{_path}";
            using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel);
            var status = (int)response.StatusCode;
            return status >= _statusMin && status <= _statusMax;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
