using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorVip.Kernel.Tests.Security;

/// <summary>A throwaway certificate authority made with CertificateRequest, written as PEM files into a temp folder deleted on Dispose.</summary>
public sealed class TestAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestAuthority(string name, string? folder = null)
    {
        Folder = folder ?? Directory.CreateTempSubdirectory("actorvip-tls-").FullName;
        OwnsFolder = folder is null;
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CaFile = Path.Combine(Folder, $"{name}-ca.pem");
        File.WriteAllText(CaFile, Certificate.ExportCertificatePem() + "\n");
    }

    public string Folder { get; }
    private bool OwnsFolder { get; }
    public X509Certificate2 Certificate { get; }
    public string CaFile { get; }

    /// <summary>A node certificate (server and client auth, SAN = the node's IP) and its key; returns the two PEM file paths.</summary>
    /// <param name="usages">The extended key usages; by default serverAuth and clientAuth, as every node needs.</param>
    public (string Certificate, string Key) Issue(string node, IPAddress address, Oid[]? usages = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={node}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages ?? [new Oid("1.3.6.1.5.5.7.3.1"),
            new Oid("1.3.6.1.5.5.7.3.2")]], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(address);
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddDays(30), serial);
        var certificateFile = Path.Combine(Folder, $"{node}.pem");
        var keyFile = Path.Combine(Folder, $"{node}-key.pem");
        File.WriteAllText(certificateFile, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
        if (OwnsFolder) Directory.Delete(Folder, recursive: true);
    }
}
