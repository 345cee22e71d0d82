using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.Security;

/// <summary>
/// The node's certificate (with its private key) and the cluster CA, read from the files named in actorvip.tls.
/// Load checks everything a peer would check, so a bad setup fails at start with one line instead of a node that never joins.
/// </summary>
public sealed class ClusterCertificates
{
    private ClusterCertificates(X509Certificate2 node, X509Certificate2Collection authority)
    {
        Node = node;
        Authority = authority;
    }

    public X509Certificate2 Node { get; }

    /// <summary>The cluster CA certificates that every peer's certificate must chain to (the only trust anchors; the system store is not used).</summary>
    public X509Certificate2Collection Authority { get; }

    /// <summary>Reads and checks the files; throws ConfigException naming the setting, the file and the fix.</summary>
    public static ClusterCertificates Load(TlsSettings tls)
    {
        var authority = LoadAuthority(tls.Ca);
        var node = LoadNode(tls);
        if (!node.HasPrivateKey)
            throw new ConfigException($"tls.certificate: '{tls.Certificate}' has no private key (give the PEM key in tls.key, or a PFX " +
                "file that contains the key)");
        if (PeerTrust.ChainStatus(node, authority, extra: null) is { } problem)
            throw new ConfigException($"tls.certificate: '{tls.Certificate}' ({node.Subject}) is not accepted by the cluster CA in tls.ca '{tls.Ca}': " +
                $"{problem} (sign it with that CA; see docs/SECURITY.md)");
        return new ClusterCertificates(node, authority);
    }

    private static X509Certificate2Collection LoadAuthority(string path)
    {
        var authority = new X509Certificate2Collection();
        try
        {
            authority.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ConfigException($"tls.ca: cannot read '{path}': {FirstLine(e)} (expected the cluster CA certificate as a PEM file)");
        }
        if (authority.Count == 0) throw new ConfigException($"tls.ca: '{path}' holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
        return authority;
    }

    private static X509Certificate2 LoadNode(TlsSettings tls)
    {
        var password = tls.Password.Length > 0 ? tls.Password : null;
        string setting = "tls.certificate";
        try
        {
            if (IsPkcs12(tls.Certificate))
                return X509CertificateLoader.LoadPkcs12FromFile(tls.Certificate, password, X509KeyStorageFlags.EphemeralKeySet);
            // The certificate alone first, so that a bad certificate is not blamed on the key read with it.
            using (X509CertificateLoader.LoadCertificateFromFile(tls.Certificate)) { }
            if (tls.Key.Length > 0)
            {
                setting = "tls.key";
                if (!File.Exists(tls.Key)) throw new FileNotFoundException($"Could not find file '{tls.Key}'.");
            }
            var keyFile = tls.Key.Length > 0 ? tls.Key : null;
            var pem = password is null
                ? X509Certificate2.CreateFromPemFile(tls.Certificate, keyFile)
                : X509Certificate2.CreateFromEncryptedPemFile(tls.Certificate, password, keyFile);
            return pem;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            var file = setting == "tls.key" ? tls.Key : tls.Certificate;
            throw new ConfigException($"{setting}: cannot read '{file}': {FirstLine(e)} (expected " +
                $"{(setting == "tls.key" ? "the PEM private key of tls.certificate" : "a PEM certificate with tls.key, or a PFX file with tls.password")})");
        }
    }

    /// <summary>A PFX/PKCS#12 file is binary DER (starts with a SEQUENCE, 0x30); PEM is text.</summary>
    private static bool IsPkcs12(string path)
    {
        using var file = File.OpenRead(path);
        return file.ReadByte() == 0x30;
    }

    private static string FirstLine(Exception e) => e.Message.Split('\n', 2)[0].Trim().TrimEnd('.');
}
