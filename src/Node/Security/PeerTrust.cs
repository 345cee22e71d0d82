using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace ActorVip.Node.Security;

/// <summary>
/// The one rule of the cluster transport: a peer is trusted when its certificate chains to the cluster CA.
/// Applied on both ends of every connection (Akka calls the validator on the client and, with mutual
/// authentication, on the server). Host names are not checked: nodes connect by IP and any node of the
/// cluster CA is a member, so the CA's key is the cluster's secret.
/// </summary>
public static class PeerTrust
{
    public static CertificateValidationCallback Validator(X509Certificate2Collection authority) =>
        (certificate, chain, remotePeer, errors, log) =>
        {
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            {
                log.Warning("tls: refused {0}: it presented no certificate", remotePeer);
                return false;
            }
            if (ChainStatus(certificate, authority, chain) is not { } problem) return true;
            log.Warning("tls: refused {0}: certificate {1} is not accepted by the cluster CA: {2}", remotePeer, certificate.Subject, problem);
            return false;
        };

    private static readonly System.Security.Cryptography.Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "serverAuth");
    private static readonly System.Security.Cryptography.Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "clientAuth");

    /// <summary>Null when <paramref name="certificate"/> chains to one of <paramref name="authority"/> (and is in its validity period); else what is
    /// wrong.</summary>
    public static string? ChainStatus(X509Certificate2 certificate, X509Certificate2Collection authority, X509Chain? extra)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authority);
        // A private cluster CA publishes no revocation list; removing a node means a new CA (docs/SECURITY.md).
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        // Every node is both the server and the client of cluster connections: a certificate whose extended key usage
        // leaves out either is not a node's (a certificate without the extension is good for any use).
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuth);
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuth);
        if (extra is not null)
            foreach (var element in extra.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        if (chain.Build(certificate)) return null;
        var statuses = chain.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError).Select(s => Describe(s.Status)).Distinct();
        return string.Join(", ", statuses) is { Length: > 0 } text ? text : "the chain does not build";
    }

    private static string Describe(X509ChainStatusFlags status) => status switch
    {
        X509ChainStatusFlags.PartialChain => "not signed by it (PartialChain)",
        X509ChainStatusFlags.UntrustedRoot => "chains to another root (UntrustedRoot)",
        X509ChainStatusFlags.NotTimeValid => "expired or not yet valid (NotTimeValid)",
        X509ChainStatusFlags.NotValidForUsage => "its extended key usage lacks serverAuth or clientAuth, which every node needs (NotValidForUsage)",
        _ => status.ToString(),
    };

    /// <summary>Akka's transport setup: this node's certificate, client certificates required, every peer checked against the cluster CA.</summary>
    public static DotNettySslSetup Setup(ClusterCertificates certificates) =>
        new(certificates.Node, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
            customValidator: Validator(certificates.Authority));
}
