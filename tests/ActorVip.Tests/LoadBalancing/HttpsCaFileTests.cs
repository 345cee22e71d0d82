using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Tests.LoadBalancing;

/// <summary>
/// A VIP's https check with ca-file (issue 14 §1): a server whose certificate chains to the file's CA passes; without the
/// file (the system's roots) it fails; a CA file of another CA fails.
/// </summary>
public sealed class HttpsCaFileTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _caFile = Path.GetTempFileName();
    private readonly string _otherCaFile = Path.GetTempFileName();

    public HttpsCaFileTests()
    {
        using var ca = CreateCa("CN=test ca");
        using var other = CreateCa("CN=other ca");
        File.WriteAllText(_caFile, ca.ExportCertificatePem());
        File.WriteAllText(_otherCaFile, other.ExportCertificatePem());
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        var server = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
        _listener.Start();
        _ = Serve(server);
    }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(2));
    }

    private async Task Serve(X509Certificate2 certificate)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using var connection = client;
                try
                {
                    await using var tls = new SslStream(client.GetStream());
                    await tls.AuthenticateAsServerAsync(certificate);
                    var buffer = new byte[4096];
                    _ = await tls.ReadAsync(buffer); // the request; any answer will do
                    await tls.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
                }
                catch (Exception)
                {
                    // A client that refused the certificate.
                }
            });
        }
    }

    private async Task<bool> Check(string caFile)
    {
        using var probe = new HttpProbe(tls: true, "/readyz", acceptAnyCertificate: false, 200, 399, caFile);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await probe.CheckAsync(new Backend(IPAddress.Loopback, (ushort)((IPEndPoint)_listener.LocalEndpoint).Port), cancel.Token);
    }

    [Fact]
    public async Task A_certificate_of_the_ca_file_passes_and_fails_without_it_or_with_another_ca()
    {
        Assert.True(await Check(_caFile));
        Assert.False(await Check(""));
        Assert.False(await Check(_otherCaFile));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        File.Delete(_caFile);
        File.Delete(_otherCaFile);
    }
}
